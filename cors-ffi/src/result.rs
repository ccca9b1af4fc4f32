//! Result codes.

/// The result of a fallible function. Values are stable and never reused: new codes get new
/// numbers. 1xx are caller mistakes, 2xx config loading failures.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum cors_result {
    /// Success.
    Ok = 0,
    /// A bug: the library panicked (please report it); do not use the outputs.
    Panic = 1,
    /// A required pointer was NULL, or a slice was `(NULL, len > 0)`.
    NullPointer = 100,
    /// Config text or a path was not UTF-8.
    InvalidUtf8 = 101,
    /// An argument was out of range (an unknown `Vary` bit, a warning index, a denial code,
    /// a length above `PTRDIFF_MAX`).
    InvalidArgument = 102,
    /// The caller's buffer was too small: the message written into it is truncated.
    BufferTooSmall = 103,
    /// The config file could not be read.
    Io = 200,
    /// The config file's extension names no supported format.
    UnknownFormat = 201,
    /// The config's format (TOML, JSON or YAML, by extension) was left out of this build.
    FormatDisabled = 202,
    /// The config is not valid TOML/JSON/YAML, or does not fit the schema (unknown key,
    /// wrong type, missing `allow_origins`).
    ConfigSyntax = 203,
    /// The config parsed but failed validation; the error message lists every problem.
    ConfigInvalid = 204,
    /// The config could not be loaded for another reason; see the error message.
    LoadFailed = 299,
}

/// cbindgen:ignore
impl cors_result {
    /// Every code, for tests and docs.
    pub const ALL: [cors_result; 12] = [
        cors_result::Ok,
        cors_result::Panic,
        cors_result::NullPointer,
        cors_result::InvalidUtf8,
        cors_result::InvalidArgument,
        cors_result::BufferTooSmall,
        cors_result::Io,
        cors_result::UnknownFormat,
        cors_result::FormatDisabled,
        cors_result::ConfigSyntax,
        cors_result::ConfigInvalid,
        cors_result::LoadFailed,
    ];

    /// The code with this number, if any.
    pub fn from_u32(value: u32) -> Option<cors_result> {
        cors_result::ALL.into_iter().find(|r| *r as u32 == value)
    }

    /// A one-line description.
    pub const fn description(self) -> &'static str {
        match self {
            cors_result::Ok => "success",
            cors_result::Panic => "internal error: cors-ffi panicked (a bug; please report it)",
            cors_result::NullPointer => {
                "a required pointer was NULL (or a slice was NULL with a non-zero length)"
            }
            cors_result::InvalidUtf8 => "the text is not valid UTF-8",
            cors_result::InvalidArgument => "an argument is out of range",
            cors_result::BufferTooSmall => "the buffer is too small; the message was truncated",
            cors_result::Io => "the config file could not be read",
            cors_result::UnknownFormat => {
                "unknown config format; name the file *.toml, *.json, *.yaml or *.yml"
            }
            cors_result::FormatDisabled => "the config's format was left out of this build",
            cors_result::ConfigSyntax => "the config is not valid for its format or the schema",
            cors_result::ConfigInvalid => "the config failed validation",
            cors_result::LoadFailed => "the config could not be loaded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, a) in cors_result::ALL.iter().enumerate() {
            assert_eq!(cors_result::from_u32(*a as u32), Some(*a));
            for b in &cors_result::ALL[i + 1..] {
                assert_ne!(*a as u32, *b as u32);
            }
        }
        assert_eq!(cors_result::from_u32(7), None);
    }
}

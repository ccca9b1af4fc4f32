//! What some servers refuse before any CORS code runs (docs/semantics.md, "Server limits"), so that `cors check`
//! and `cors explain` can say when a policy-allowed request cannot work on one of them.
//!
//! The table in `docs/semantics.md` ("Server limits") lists the same facts; a test checks
//! that every server named here appears there.

/// A server of the project and a method it cannot receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MethodLimit {
    /// nginx answers 400 to a method with a byte other than `A`-`Z`, `_` and `-`
    /// (`patch`, `M2`).
    Nginx,
    /// Rocket 0.5 answers 400 to a method other than `GET`, `HEAD`, `POST`, `PUT`,
    /// `DELETE`, `OPTIONS`, `PATCH` (`PURGE`, `patch`).
    Rocket,
    /// Both of the above.
    NginxAndRocket,
}

impl MethodLimit {
    /// Which servers refuse `method` (as a browser sends it, after Fetch's normalization),
    /// if any.
    pub fn of(method: &[u8]) -> Option<MethodLimit> {
        let nginx = method.is_empty()
            || !method
                .iter()
                .all(|&b| b.is_ascii_uppercase() || b == b'_' || b == b'-');
        let rocket = !matches!(
            method,
            b"GET" | b"HEAD" | b"POST" | b"PUT" | b"DELETE" | b"OPTIONS" | b"PATCH"
        );
        match (nginx, rocket) {
            (true, true) => Some(MethodLimit::NginxAndRocket),
            (true, false) => Some(MethodLimit::Nginx),
            (false, true) => Some(MethodLimit::Rocket),
            (false, false) => None,
        }
    }

    /// Which servers refuse the method and how, in one clause.
    pub const fn describe(self) -> &'static str {
        match self {
            MethodLimit::Nginx => {
                "nginx answers 400 to methods with bytes other than A-Z, '_' and '-'"
            }
            MethodLimit::Rocket => {
                "Rocket 0.5 answers 400 to methods other than GET, HEAD, POST, PUT, DELETE, \
                 OPTIONS and PATCH"
            }
            MethodLimit::NginxAndRocket => {
                "nginx answers 400 to methods with bytes other than A-Z, '_' and '-', and \
                 Rocket 0.5 to methods other than GET, HEAD, POST, PUT, DELETE, OPTIONS and \
                 PATCH"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(MethodLimit::of(b"GET"), None);
        assert_eq!(MethodLimit::of(b"PATCH"), None);
        assert_eq!(MethodLimit::of(b"PURGE"), Some(MethodLimit::Rocket));
        assert_eq!(MethodLimit::of(b"X_Y-Z"), Some(MethodLimit::Rocket));
        assert_eq!(MethodLimit::of(b"patch"), Some(MethodLimit::NginxAndRocket));
        assert_eq!(MethodLimit::of(b"M2"), Some(MethodLimit::NginxAndRocket));
        assert_eq!(MethodLimit::of(b"X-Y"), Some(MethodLimit::Rocket));
        assert_eq!(MethodLimit::of(b"X_Y"), Some(MethodLimit::Rocket));
        assert_eq!(MethodLimit::of(b""), Some(MethodLimit::NginxAndRocket));
    }

    #[test]
    fn descriptions_name_the_servers() {
        let nginx = MethodLimit::Nginx.describe();
        let rocket = MethodLimit::Rocket.describe();
        let both = MethodLimit::NginxAndRocket.describe();
        assert!(nginx.starts_with("nginx answers 400") && !nginx.contains("Rocket"));
        assert!(rocket.starts_with("Rocket 0.5 answers 400") && !rocket.contains("nginx"));
        assert!(both.starts_with("nginx answers 400") && both.contains("and Rocket 0.5 to"));
    }
}

#[cfg(test)]
mod docs {
    /// The server-limits table in docs/semantics.md states what `MethodLimit` knows.
    #[test]
    fn the_docs_table_lists_each_limit() {
        let docs = include_str!("../../docs/semantics.md");
        let table = docs
            .split("## Server limits")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("docs/semantics.md has a Server limits section");
        for row in [
            "| nginx | a method with a byte other than `A`-`Z`, `_`, `-`",
            "| Rocket 0.5 | a method other than `GET HEAD POST PUT DELETE OPTIONS PATCH`",
            "| Rocket 0.5 | a header line whose value is not UTF-8",
        ] {
            assert!(table.contains(row), "the Server limits table lacks {row:?}");
        }
    }
}

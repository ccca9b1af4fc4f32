//! Terminal colour: only on a terminal, never when `NO_COLOR` is set.

use std::io::IsTerminal;

use clap::ValueEnum;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set to a non-empty value.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Wraps text in ANSI colours, or not.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Decides colour for standard output.
    pub fn for_stdout(choice: ColorChoice) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Style { color }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Headings.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Errors and blocks.
    pub fn red(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// Allowed outcomes.
    pub fn green(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Warnings.
    pub fn yellow(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// Secondary text (source lines, carets).
    pub fn blue(self, text: &str) -> String {
        self.paint("1;34", text)
    }
}

//! `preflight_status` and `preflight_continue`: how an allowed preflight is answered.

use http::StatusCode;

use crate::compile::Compiler;
use crate::config::Config;
use crate::decision::Action;
use crate::error::{ErrorKind, Field};

/// The compiled answer to an allowed preflight.
pub(crate) struct PreflightAnswer {
    status: StatusCode,
    continue_to_handler: bool,
}

impl PreflightAnswer {
    pub(crate) fn compile(c: &mut Compiler, config: &Config) -> PreflightAnswer {
        let status = match config.preflight_status {
            200 => StatusCode::OK,
            204 => StatusCode::NO_CONTENT,
            other => {
                let text = other.to_string();
                c.error(
                    Field::PreflightStatus,
                    None,
                    Some(&text),
                    ErrorKind::InvalidPreflightStatus,
                );
                StatusCode::NO_CONTENT
            }
        };
        PreflightAnswer {
            status,
            continue_to_handler: config.preflight_continue,
        }
    }

    /// What an allowed preflight does: answer with the status, or reach the handler.
    pub(crate) fn action(&self) -> Action {
        if self.continue_to_handler {
            Action::Forward
        } else {
            Action::Respond(self.status)
        }
    }

    /// The status (the normalized config's `preflight_status`).
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }
}

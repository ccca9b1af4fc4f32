//! Arbitrary config text: loading and compiling never panic, and a compiled policy's
//! normalized config compiles again to an equal policy.
#![no_main]

use cors_core::{Config, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for parsed in [
        Config::from_toml_str(text),
        Config::from_json_str(text),
        Config::from_yaml_str(text),
    ] {
        let Ok(config) = parsed else { continue };
        match Policy::compile(&config) {
            Ok(c) => {
                let again = Policy::compile(c.policy.config()).expect("normalized config compiles");
                assert_eq!(again.policy, c.policy);
                let _ = c.warnings.iter().map(ToString::to_string).count();
            }
            Err(errors) => {
                assert!(errors.len() > 0);
                let _ = errors.to_string();
            }
        }
    }
});

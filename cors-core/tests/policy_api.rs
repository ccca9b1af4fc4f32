//! The compiled policy's own queries, which servers use for caches and diagnostics.

use cors_core::Policy;

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap()
}

/// `same` is identity of the compiled policy (clones), not equality of configs: a reload
/// that compiles the same file again makes a policy that is not the same.
#[test]
fn same_means_a_clone_of_one_compiled_policy() {
    let text = "allow_origins = [\"https://app.example.com\"]";
    let a = policy(text);
    let b = a.clone();
    let again = policy(text);
    assert!(a.same(&b) && b.same(&a));
    assert!(!a.same(&again));
}

/// `has_dynamic_origins` sees the key at the top level and on any route, and only there.
#[test]
fn dynamic_origins_anywhere() {
    let base = "allow_origins = [\"https://app.example.com\"]\n";
    assert!(!policy(base).has_dynamic_origins());
    assert!(policy(&format!("{base}dynamic_origins = true\n")).has_dynamic_origins());
    let route = |extra: &str| format!("{base}[[routes]]\npath = \"/a\"\n{extra}");
    assert!(!policy(&route("")).has_dynamic_origins());
    assert!(!policy(&route("dynamic_origins = false\n")).has_dynamic_origins());
    assert!(policy(&route("dynamic_origins = true\n")).has_dynamic_origins());
}

/// `for_path` gives the covering route's own policy, or the top level's without routes.
#[test]
fn for_path_gives_a_policy_without_routes() {
    let p = policy(
        "allow_origins = [\"https://app.example.com\"]\n\
         [[routes]]\npath = \"/public\"\nallow_origins = \"*\"\n",
    );
    let (route, public) = p.for_path(b"/public/feed").unwrap();
    assert_eq!(route, Some("/public"));
    assert!(public.is_constant() && public.for_path(b"/public/feed").is_none());
    let (route, top) = p.for_path(b"/other").unwrap();
    assert_eq!(route, None);
    assert!(!top.is_constant());
    assert!(
        top.for_path(b"/public/feed").is_none(),
        "the top level's routes are left out"
    );
    assert!(
        policy("allow_origins = [\"https://a.test\"]")
            .for_path(b"/x")
            .is_none()
    );
}

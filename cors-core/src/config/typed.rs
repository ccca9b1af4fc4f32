//! Deserializers for each kind of config field whose type errors name the field (and list
//! index) and say what was expected in the project's words:
//! `preflight_status: expected the number 200 or 204, found the string "204"`.
//! The format's parser adds the line and column.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

use super::AnyOr;

/// What a value is, as an error message names it.
struct Found<'a>(Unexpected<'a>);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "{b}"),
            Unexpected::Unsigned(n) => write!(f, "the number {n}"),
            Unexpected::Signed(n) => write!(f, "the number {n}"),
            Unexpected::Float(n) => write!(f, "the number {n}"),
            Unexpected::Str(s) => write!(f, "the string {}", crate::error::quoted(s)),
            Unexpected::Seq => f.write_str("a list"),
            Unexpected::Map => f.write_str("a table"),
            Unexpected::Unit | Unexpected::Option => f.write_str("null"),
            ref other => write!(f, "{other}"),
        }
    }
}

/// A field, or one entry of a list field, for error messages.
#[derive(Clone, Copy)]
struct Path {
    field: &'static str,
    index: Option<usize>,
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{}[{i}]", self.field),
            None => f.write_str(self.field),
        }
    }
}

/// One kind of value: what it accepts, and its words for what it expects. The visitor
/// around it refuses every other type with an error naming the path.
trait Kind: Sized {
    type Value;
    fn expected(&self) -> &'static str;
    fn bool<E: de::Error>(self, _path: Path, _v: bool) -> Option<Result<Self::Value, E>> {
        None
    }
    fn u64<E: de::Error>(self, _path: Path, _v: u64) -> Option<Result<Self::Value, E>> {
        None
    }
    fn str<E: de::Error>(self, _path: Path, _v: &str) -> Option<Result<Self::Value, E>> {
        None
    }
    fn seq<'de, A: SeqAccess<'de>>(
        self,
        _path: Path,
        _seq: A,
    ) -> Option<Result<Self::Value, A::Error>> {
        None
    }
    fn unit<E: de::Error>(self) -> Option<Result<Self::Value, E>> {
        None
    }
}

fn wrong<E: de::Error>(path: Path, expected: &str, found: Unexpected<'_>) -> E {
    E::custom(format_args!(
        "{path}: expected {expected}, found {}",
        Found(found)
    ))
}

struct Typed<K> {
    path: Path,
    kind: K,
}

impl<K: Kind> Typed<K> {
    fn refuse<E: de::Error>(self, found: Unexpected<'_>) -> E {
        wrong(self.path, self.kind.expected(), found)
    }
}

impl<'de, K: Kind> Visitor<'de> for Typed<K> {
    type Value = K::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.expected())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<K::Value, E> {
        let expected = self.kind.expected();
        let path = self.path;
        self.kind
            .bool(path, v)
            .unwrap_or_else(|| Err(wrong(path, expected, Unexpected::Bool(v))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<K::Value, E> {
        let expected = self.kind.expected();
        let path = self.path;
        self.kind
            .u64(path, v)
            .unwrap_or_else(|| Err(wrong(path, expected, Unexpected::Unsigned(v))))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<K::Value, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Err(self.refuse(Unexpected::Signed(v))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<K::Value, E> {
        Err(self.refuse(Unexpected::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<K::Value, E> {
        let expected = self.kind.expected();
        let path = self.path;
        self.kind
            .str(path, v)
            .unwrap_or_else(|| Err(wrong(path, expected, Unexpected::Str(v))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<K::Value, E> {
        let expected = self.kind.expected();
        let path = self.path;
        self.kind
            .unit()
            .unwrap_or_else(|| Err(wrong(path, expected, Unexpected::Unit)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<K::Value, A::Error> {
        let expected = self.kind.expected();
        let path = self.path;
        self.kind
            .seq(path, seq)
            .unwrap_or_else(|| Err(wrong(path, expected, Unexpected::Seq)))
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<K::Value, A::Error> {
        Err(self.refuse(Unexpected::Map))
    }
}

impl<'de, K: Kind> DeserializeSeed<'de> for Typed<K> {
    type Value = K::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<K::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn field<K>(field: &'static str, kind: K) -> Typed<K> {
    Typed {
        path: Path { field, index: None },
        kind,
    }
}

struct Bool;

impl Kind for Bool {
    type Value = bool;
    fn expected(&self) -> &'static str {
        "true or false"
    }
    fn bool<E: de::Error>(self, _: Path, v: bool) -> Option<Result<bool, E>> {
        Some(Ok(v))
    }
}

/// A non-negative integer that fits `T`; what it means is said by `expected`.
struct Number<T> {
    expected: &'static str,
    ty: PhantomData<T>,
}

impl<T: TryFrom<u64>> Kind for Number<T> {
    type Value = T;
    fn expected(&self) -> &'static str {
        self.expected
    }
    fn u64<E: de::Error>(self, path: Path, v: u64) -> Option<Result<T, E>> {
        Some(T::try_from(v).map_err(|_| wrong(path, self.expected, Unexpected::Unsigned(v))))
    }
}

/// `max_age`: seconds, or null (JSON, YAML) for none.
struct Seconds;

impl Kind for Seconds {
    type Value = Option<u64>;
    fn expected(&self) -> &'static str {
        "a number of seconds from 0 to 4294967295"
    }
    fn u64<E: de::Error>(self, _: Path, v: u64) -> Option<Result<Option<u64>, E>> {
        Some(Ok(Some(v)))
    }
    fn unit<E: de::Error>(self) -> Option<Result<Option<u64>, E>> {
        Some(Ok(None))
    }
}

/// `mode`: `"enforce"` or `"report-only"`.
struct ModeKind;

impl Kind for ModeKind {
    type Value = super::Mode;
    fn expected(&self) -> &'static str {
        "\"enforce\" or \"report-only\""
    }
    fn str<E: de::Error>(self, path: Path, v: &str) -> Option<Result<super::Mode, E>> {
        Some(match v {
            "enforce" => Ok(super::Mode::Enforce),
            "report-only" => Ok(super::Mode::ReportOnly),
            _ => Err(wrong(path, self.expected(), Unexpected::Str(v))),
        })
    }
}

/// A route's `path`: a string (validated when the policy is compiled).
struct PathKind;

impl Kind for PathKind {
    type Value = String;
    fn expected(&self) -> &'static str {
        "a path starting with '/', e.g. \"/api\""
    }
    fn str<E: de::Error>(self, _: Path, v: &str) -> Option<Result<String, E>> {
        Some(Ok(v.to_owned()))
    }
}

/// `"*"` or a list of strings.
pub(crate) struct List;

impl Kind for List {
    type Value = AnyOr<String>;
    fn expected(&self) -> &'static str {
        "\"*\" or a list of strings"
    }
    fn str<E: de::Error>(self, path: Path, v: &str) -> Option<Result<AnyOr<String>, E>> {
        Some(if v == "*" {
            Ok(AnyOr::Any)
        } else {
            Err(E::custom(format_args!(
                "{path}: expected {}, found the string {q}; write [{q}]",
                self.expected(),
                q = crate::error::quoted(v)
            )))
        })
    }
    fn seq<'de, A: SeqAccess<'de>>(
        self,
        path: Path,
        mut seq: A,
    ) -> Option<Result<AnyOr<String>, A::Error>> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        loop {
            let entry = Typed {
                path: Path {
                    field: path.field,
                    index: Some(items.len()),
                },
                kind: Entry,
            };
            match seq.next_element_seed(entry) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => return Some(Ok(AnyOr::List(items))),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// One string entry of a list.
struct Entry;

impl Kind for Entry {
    type Value = String;
    fn expected(&self) -> &'static str {
        "a string"
    }
    fn str<E: de::Error>(self, _: Path, v: &str) -> Option<Result<String, E>> {
        Some(Ok(v.to_owned()))
    }
}

/// [`AnyOr`]'s own `Deserialize`, outside a config: errors name no field.
pub(crate) fn any_or<'de, D: Deserializer<'de>>(d: D) -> Result<AnyOr<String>, D::Error> {
    field("value", List).deserialize(d)
}

/// `deserialize_with` functions, one per field (serde passes no arguments to them).
pub(crate) mod fields {
    use std::marker::PhantomData;

    use serde::Deserializer;
    use serde::de::DeserializeSeed;

    use super::{Bool, List, ModeKind, Number, PathKind, Seconds, field};
    use crate::config::{AnyOr, Mode};

    macro_rules! list {
        ($($name:ident),*) => {$(
            pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<AnyOr<String>, D::Error> {
                field(stringify!($name), List).deserialize(d)
            }
        )*};
    }
    list!(allow_origins, allow_methods, allow_headers, expose_headers);

    /// A route's optional settings: present means set (serde calls these only then).
    pub(crate) mod route {
        use serde::Deserializer;

        use crate::config::{AnyOr, Mode};

        macro_rules! some {
            ($($name:ident: $ty:ty),*) => {$(
                pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
                    super::$name(d).map(Some)
                }
            )*};
        }
        some!(
            allow_origins: AnyOr<String>,
            allow_methods: AnyOr<String>,
            allow_headers: AnyOr<String>,
            expose_headers: AnyOr<String>,
            allow_credentials: bool,
            allow_private_network: bool,
            preflight_status: u16,
            preflight_continue: bool,
            mode: Mode,
            debug_denial_header: bool,
            dynamic_origins: bool
        );

        /// `max_age = null` (JSON, YAML) in a route means "no header", not "inherit".
        pub(crate) fn max_age<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Option<u64>>, D::Error> {
            super::max_age(d).map(Some)
        }
    }

    pub(crate) fn mode<'de, D: Deserializer<'de>>(d: D) -> Result<Mode, D::Error> {
        field("mode", ModeKind).deserialize(d)
    }

    pub(crate) fn path<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        field("path", PathKind).deserialize(d)
    }

    macro_rules! boolean {
        ($($name:ident),*) => {$(
            pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
                field(stringify!($name), Bool).deserialize(d)
            }
        )*};
    }
    boolean!(
        allow_credentials,
        allow_private_network,
        preflight_continue,
        debug_denial_header,
        dynamic_origins
    );

    pub(crate) fn max_age<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        field("max_age", Seconds).deserialize(d)
    }

    pub(crate) fn preflight_status<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        let kind = Number {
            expected: "the number 200 or 204",
            ty: PhantomData::<u16>,
        };
        field("preflight_status", kind).deserialize(d)
    }
}

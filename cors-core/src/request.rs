//! The request side: which request headers the engine reads, and views over requests.

use http::{HeaderMap, HeaderName, Method};

/// Built at compile time, so looking it up never re-validates the name.
const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// A request header the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestHeader {
    /// `Origin`
    Origin,
    /// `Access-Control-Request-Method`
    RequestMethod,
    /// `Access-Control-Request-Headers`
    RequestHeaders,
    /// `Access-Control-Request-Private-Network`
    RequestPrivateNetwork,
}

impl RequestHeader {
    /// Every header the engine reads.
    pub const ALL: [RequestHeader; 4] = [
        RequestHeader::Origin,
        RequestHeader::RequestMethod,
        RequestHeader::RequestHeaders,
        RequestHeader::RequestPrivateNetwork,
    ];

    /// The lower-case header name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestHeader::Origin => "origin",
            RequestHeader::RequestMethod => "access-control-request-method",
            RequestHeader::RequestHeaders => "access-control-request-headers",
            RequestHeader::RequestPrivateNetwork => "access-control-request-private-network",
        }
    }

    /// The header name as an `http` type.
    pub const fn header_name(self) -> HeaderName {
        match self {
            RequestHeader::Origin => http::header::ORIGIN,
            RequestHeader::RequestMethod => http::header::ACCESS_CONTROL_REQUEST_METHOD,
            RequestHeader::RequestHeaders => http::header::ACCESS_CONTROL_REQUEST_HEADERS,
            RequestHeader::RequestPrivateNetwork => REQUEST_PRIVATE_NETWORK,
        }
    }
}

/// What the engine needs to see of a request: its method and the values of four headers.
///
/// Implemented for `http` 1.x requests ([`http::request::Parts`], [`http::Request`],
/// `(&Method, &HeaderMap)`) and for raw bytes ([`RequestBytes`]). A framework on other
/// types implements it in a few lines; `Value` is the type of one header line, so the
/// decision can hand back the request's own values (for echoing) without copying.
pub trait RequestView {
    /// One header line's value.
    type Value: AsRef<[u8]> + ?Sized;

    /// The request method, exactly as received.
    fn method(&self) -> &[u8];

    /// Every line of `header`, in order.
    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &Self::Value>;

    /// The first line of each of the four headers and whether it has more, for a request
    /// whose method is `OPTIONS` (a preflight reads all four). The default looks each up
    /// with [`header`](Self::header); a view over a whole header map can do it in one
    /// pass, as the `http` views do.
    fn scan(&self) -> Scan<'_, Self::Value> {
        let found = |h| {
            let mut lines = self.header(h);
            Found {
                first: lines.next(),
                more: lines.next().is_some(),
            }
        };
        Scan {
            origin: found(RequestHeader::Origin),
            request_method: found(RequestHeader::RequestMethod),
            request_headers: found(RequestHeader::RequestHeaders),
            private_network: found(RequestHeader::RequestPrivateNetwork),
        }
    }
}

/// The first line of a header and whether more follow ([`RequestView::scan`]).
#[derive(Debug)]
pub struct Found<'a, V: ?Sized> {
    /// The first line, if any.
    pub first: Option<&'a V>,
    /// Whether the header has more than one line.
    pub more: bool,
}

impl<V: ?Sized> Clone for Found<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V: ?Sized> Copy for Found<'_, V> {}

impl<V: ?Sized> Default for Found<'_, V> {
    fn default() -> Self {
        Found {
            first: None,
            more: false,
        }
    }
}

impl<'a, V: ?Sized> Found<'a, V> {
    fn add(&mut self, line: &'a V) {
        match self.first {
            None => self.first = Some(line),
            Some(_) => self.more = true,
        }
    }
}

/// The four headers the engine reads, found together ([`RequestView::scan`]).
#[derive(Debug)]
pub struct Scan<'a, V: ?Sized> {
    /// `Origin`.
    pub origin: Found<'a, V>,
    /// `Access-Control-Request-Method`.
    pub request_method: Found<'a, V>,
    /// `Access-Control-Request-Headers`.
    pub request_headers: Found<'a, V>,
    /// `Access-Control-Request-Private-Network`.
    pub private_network: Found<'a, V>,
}

impl<'a> Scan<'a, http::HeaderValue> {
    /// One pass over a header map: each entry's name is compared with four known names
    /// (standard ones compare as small integers), instead of four hashed lookups.
    fn of(map: &'a HeaderMap) -> Self {
        let mut scan = Scan {
            origin: Found::default(),
            request_method: Found::default(),
            request_headers: Found::default(),
            private_network: Found::default(),
        };
        for (name, value) in map {
            let found = if *name == http::header::ORIGIN {
                &mut scan.origin
            } else if *name == http::header::ACCESS_CONTROL_REQUEST_METHOD {
                &mut scan.request_method
            } else if *name == http::header::ACCESS_CONTROL_REQUEST_HEADERS {
                &mut scan.request_headers
            } else if *name == REQUEST_PRIVATE_NETWORK {
                &mut scan.private_network
            } else {
                continue;
            };
            found.add(value);
        }
        scan
    }
}

impl RequestView for http::request::Parts {
    type Value = http::HeaderValue;
    fn method(&self) -> &[u8] {
        self.method.as_str().as_bytes()
    }
    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &http::HeaderValue> {
        header_lines(&self.headers, header)
    }
    fn scan(&self) -> Scan<'_, http::HeaderValue> {
        Scan::of(&self.headers)
    }
}

impl<B> RequestView for http::Request<B> {
    type Value = http::HeaderValue;
    fn method(&self) -> &[u8] {
        self.method().as_str().as_bytes()
    }
    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &http::HeaderValue> {
        header_lines(self.headers(), header)
    }
    fn scan(&self) -> Scan<'_, http::HeaderValue> {
        Scan::of(self.headers())
    }
}

impl RequestView for (&Method, &HeaderMap) {
    type Value = http::HeaderValue;
    fn method(&self) -> &[u8] {
        self.0.as_str().as_bytes()
    }
    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &http::HeaderValue> {
        header_lines(self.1, header)
    }
    fn scan(&self) -> Scan<'_, http::HeaderValue> {
        Scan::of(self.1)
    }
}

fn header_lines(
    map: &HeaderMap,
    header: RequestHeader,
) -> impl Iterator<Item = &http::HeaderValue> {
    map.get_all(header.header_name()).iter()
}

/// The lines of one header in a [`RequestBytes`]: absent, one, or several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HeaderLines<'a> {
    /// The header is not in the request.
    #[default]
    Absent,
    /// One line.
    One(&'a [u8]),
    /// Several lines (or none, when the slice is empty), in order.
    Many(&'a [&'a [u8]]),
}

impl<'a> HeaderLines<'a> {
    /// The lines as a slice.
    pub fn as_slice(&self) -> &[&'a [u8]] {
        match self {
            HeaderLines::Absent => &[],
            HeaderLines::One(v) => std::slice::from_ref(v),
            HeaderLines::Many(v) => v,
        }
    }
}

impl<'a> From<&'a [u8]> for HeaderLines<'a> {
    fn from(v: &'a [u8]) -> Self {
        HeaderLines::One(v)
    }
}

impl<'a> From<&'a str> for HeaderLines<'a> {
    fn from(v: &'a str) -> Self {
        HeaderLines::One(v.as_bytes())
    }
}

impl<'a, T: Into<HeaderLines<'a>>> From<Option<T>> for HeaderLines<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(HeaderLines::Absent, Into::into)
    }
}

impl<'a> From<&'a [&'a [u8]]> for HeaderLines<'a> {
    fn from(v: &'a [&'a [u8]]) -> Self {
        HeaderLines::Many(v)
    }
}

/// A request as raw bytes: the byte-level entry point, for servers whose types are not
/// `http` 1.x (actix-web, Rocket, C through `cors-ffi`).
///
/// ```
/// use cors_core::{Policy, RequestBytes};
///
/// let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
/// let request = RequestBytes {
///     method: b"GET",
///     origin: "https://app.example.com".into(),
///     ..RequestBytes::default()
/// };
/// let decision = policy.decide(&request);
/// assert!(decision.is_allowed());
/// # Ok::<(), cors_core::LoadError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestBytes<'a> {
    /// The method, exactly as received.
    pub method: &'a [u8],
    /// `Origin` lines.
    pub origin: HeaderLines<'a>,
    /// `Access-Control-Request-Method` lines.
    pub request_method: HeaderLines<'a>,
    /// `Access-Control-Request-Headers` lines.
    pub request_headers: HeaderLines<'a>,
    /// `Access-Control-Request-Private-Network` lines.
    pub private_network: HeaderLines<'a>,
}

impl RequestView for RequestBytes<'_> {
    type Value = [u8];
    fn method(&self) -> &[u8] {
        self.method
    }
    fn header(&self, header: RequestHeader) -> impl Iterator<Item = &[u8]> {
        let lines = match header {
            RequestHeader::Origin => &self.origin,
            RequestHeader::RequestMethod => &self.request_method,
            RequestHeader::RequestHeaders => &self.request_headers,
            RequestHeader::RequestPrivateNetwork => &self.private_network,
        };
        lines.as_slice().iter().map(|v| &**v)
    }
}

//! `serve` over TLS (feature `tls`, which the workspace's example servers enable), and
//! `remote()` behind it.
#![cfg(feature = "tls")]

use std::net::SocketAddr;
use std::sync::Arc;

use cors_warp::{Policy, TlsListener};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::{TlsAcceptor, TlsConnector};
use warp::Filter;

const CERT: &[u8] = include_bytes!("tls/cert.pem");
const KEY: &[u8] = include_bytes!("tls/key.pem");
const CA: &[u8] = include_bytes!("tls/ca.pem");

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn acceptor() -> TlsAcceptor {
    let certs = CertificateDer::pem_slice_iter(CERT)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

async fn https(addr: SocketAddr, request: &str) -> String {
    let mut roots = RootCertStore::empty();
    for ca in CertificateDer::pem_slice_iter(CA) {
        roots.add(ca.unwrap()).unwrap();
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap();
    tls.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    // A peer closing without close_notify is fine for a test.
    let _ = tls.read_to_end(&mut out).await;
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn serves_https_with_the_policy_and_the_peer_address() {
    let policy = Policy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_methods(["GET", "PUT"])
        .build()
        .unwrap();
    let peer = warp::path!("peer")
        .and(cors_warp::remote())
        .map(|a: Option<SocketAddr>| a.map(|a| a.ip().to_string()).unwrap_or_default());
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cors_warp::serve(peer, policy).run_until(
        TlsListener::new(tcp, acceptor()),
        async {
            let _ = stopped.await;
        },
    ));
    // A client that never finishes its handshake holds up no one.
    let stalled = tokio::net::TcpStream::connect(addr).await.unwrap();

    let resp = https(
        addr,
        "GET /peer HTTP/1.1\r\nhost: localhost\r\norigin: https://app.example.com\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        resp.contains("access-control-allow-origin: https://app.example.com"),
        "{resp}"
    );
    assert!(resp.ends_with("127.0.0.1"), "{resp}");
    let resp = https(
        addr,
        "OPTIONS /nowhere HTTP/1.1\r\nhost: localhost\r\norigin: https://app.example.com\r\naccess-control-request-method: PUT\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert!(resp.starts_with("HTTP/1.1 204"), "{resp}");
    drop(stalled);
    stop.send(()).unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn remote_also_reads_warps_own_address() {
    let route = cors_warp::remote().map(|a: Option<SocketAddr>| format!("{a:?}"));
    let addr: SocketAddr = "10.1.2.3:4567".parse().unwrap();
    let res = warp::test::request().remote_addr(addr).reply(&route).await;
    assert_eq!(res.body(), "Some(10.1.2.3:4567)");
    let res = warp::test::request().reply(&route).await;
    assert_eq!(res.body(), "None");
}

//! TLS with tokio-rustls over a pipetap pipe: a real handshake (self-signed
//! certificate made at test time with rcgen, ring crypto provider: builds with
//! a C compiler only, no cmake) and an echo through the encrypted stream.
//!
//! The pipe is buffered (default capacity). Over a rendezvous pipe two rustls
//! peers deadlock by design, as they would over Go's `net.Pipe` (both write
//! their ChangeCipherSpec at once and neither reads until its write is done):
//! see TOOLING.md.
//!
//! The client's side of the wire is recorded (`pipetap::RecordExt::record()`)
//! and checked to be TLS records, starting with a handshake record holding a
//! ClientHello.
#![cfg(feature = "tokio")]

mod support;

use std::sync::Arc;

use pipetap::{PipeBuilder, PipeEnd, RecordExt};
use rstest::rstest;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// A server and a client config that trust each other: a fresh self-signed
/// certificate for `localhost`, the ring provider, one protocol version.
fn configs(version: &'static SupportedProtocolVersion) -> (TlsAcceptor, TlsConnector) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("self-signed certificate");
    let cert: CertificateDer<'static> = certified.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));

    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[version])
        .expect("protocol version")
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .expect("server certificate");

    let mut roots = RootCertStore::empty();
    roots.add(cert).expect("trust the self-signed certificate");
    let client = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .expect("protocol version")
        .with_root_certificates(roots)
        .with_no_client_auth();

    (
        TlsAcceptor::from(Arc::new(server)),
        TlsConnector::from(Arc::new(client)),
    )
}

fn buffered() -> (PipeEnd, PipeEnd) {
    pipetap::pipe()
}

/// Default capacity, but short reads and writes and a spurious `Pending`
/// before every call: TLS records arrive in slivers.
fn short_io() -> (PipeEnd, PipeEnd) {
    PipeBuilder::new()
        .max_read_len(7)
        .max_write_len(5)
        .interleave_pending(true)
        .build()
}

/// Handshake, then echo `len` bytes. Client writes and reads concurrently, so
/// a payload larger than the pipe's capacity flows without deadlock.
#[rstest]
#[case::tls13_small(&rustls::version::TLS13, buffered, 64)]
#[case::tls13_larger_than_capacity(&rustls::version::TLS13, buffered, 200 * 1024)]
#[case::tls12_small(&rustls::version::TLS12, buffered, 64)]
#[case::tls13_short_io(&rustls::version::TLS13, short_io, 20 * 1024)]
fn tls_handshake_and_echo_over_buffered_pipe(
    #[case] version: &'static SupportedProtocolVersion,
    #[case] make: fn() -> (PipeEnd, PipeEnd),
    #[case] len: usize,
) {
    support::tokio_watchdog(move || async move {
        let (acceptor, connector) = configs(version);
        let (client_end, server_end) = make();

        // Echo server: everything it decrypts goes straight back, until the
        // client's close_notify.
        let server = tokio::spawn(async move {
            let mut tls = acceptor.accept(server_end).await.expect("server handshake");
            let sni = tls.get_ref().1.server_name().map(str::to_owned);
            let mut buf = vec![0; 4096];
            let mut echoed = 0;
            loop {
                let n = tls.read(&mut buf).await.expect("server read");
                if n == 0 {
                    break;
                }
                tls.write_all(&buf[..n]).await.expect("server write");
                echoed += n;
            }
            tls.shutdown().await.expect("server close_notify");
            (sni, echoed)
        });

        let (conn, tape) = client_end.record();
        let domain = ServerName::try_from("localhost").unwrap();
        let tls = connector
            .connect(domain, conn)
            .await
            .expect("client handshake");
        assert_eq!(
            tls.get_ref().1.protocol_version(),
            Some(version.version),
            "negotiated version"
        );

        let message = support::seeded_bytes(0x7115, len);
        let (mut rd, mut wr) = tokio::io::split(tls);
        let to_send = message.clone();
        let writer = async move {
            wr.write_all(&to_send).await.expect("client write");
            wr.shutdown().await.expect("client close_notify");
            wr
        };
        let reader = async move {
            let mut back = Vec::with_capacity(len);
            rd.read_to_end(&mut back).await.expect("client read");
            (rd, back)
        };
        let (_wr, (_rd, echoed)) = tokio::join!(writer, reader);

        assert!(
            echoed == message,
            "echo differs ({} of {len} bytes)",
            echoed.len()
        );
        let (sni, server_echoed) = server.await.expect("server task");
        assert_eq!(sni.as_deref(), Some("localhost"));
        assert_eq!(server_echoed, len);

        // The client's wire bytes: TLS records, the first a handshake record
        // (content type 0x16, legacy version 0x03 0x0N) carrying a ClientHello
        // (handshake type 0x01); and the plaintext is nowhere to be seen.
        let wire = tape.bytes();
        assert!(
            wire.starts_with(&[0x16, 0x03]),
            "client did not open with a TLS handshake record: {:02x?}",
            &wire[..wire.len().min(8)]
        );
        assert_eq!(wire[5], 0x01, "first handshake message is a ClientHello");
        let records = split_records(&wire);
        assert!(records.iter().all(|&(ty, _)| (0x14..=0x17).contains(&ty)));
        let app_bytes: usize = records
            .iter()
            .filter(|&&(ty, _)| ty == 0x17)
            .map(|&(_, n)| n)
            .sum();
        assert!(app_bytes > len, "application data is all encrypted records");
        if len >= 32 {
            let probe = &message[..32];
            assert!(
                !wire.windows(probe.len()).any(|w| w == probe),
                "plaintext leaked onto the wire"
            );
        }
    });
}

/// Walks the TLS record layer: (content type, payload length) per record.
/// Panics if the bytes do not split exactly into whole records.
fn split_records(mut wire: &[u8]) -> Vec<(u8, usize)> {
    let mut records = Vec::new();
    while !wire.is_empty() {
        assert!(wire.len() >= 5, "truncated record header");
        let (ty, len) = (wire[0], usize::from(u16::from_be_bytes([wire[3], wire[4]])));
        assert!(wire.len() >= 5 + len, "truncated record");
        records.push((ty, len));
        wire = &wire[5 + len..];
    }
    records
}

//! PassFort size and count limits.

use super::*;

/// `{"data": "<base64 of bytes>"}`, built once.
fn data_body(bytes: &[u8]) -> Bytes {
    let mut body = String::with_capacity(bytes.len().div_ceil(3) * 4 + 16);
    body.push_str("{\"data\":\"");
    B64.encode_string(bytes, &mut body);
    body.push_str("\"}");
    Bytes::from(body)
}

#[tokio::test]
async fn fifty_megabytes_per_file_exactly() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let files = format!("/profiles/{id}/files");
    let images = format!("/profiles/{id}/document_images");
    let stored = p.files_stored().await;

    // One byte over: the body fits the body limit, the decoded file does not.
    let mut file = crate::common::png_header(10, 10);
    file.resize(MAX_FILE + 1, 0x5A);
    let over = data_body(&file);
    assert!(
        over.len() < MAX_FILE / 3 * 4 + 64 * 1024,
        "fits the body limit"
    );
    for (path, template) in [(&files, FILES), (&images, IMAGES)] {
        let r = p
            .call(Method::POST, path, template, Body::Raw(over.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            r.body
        );
        let e = first_error(&r);
        assert_eq!(
            (&e["code"], &e["info"]["field"], &e["info"]["max_bytes"]),
            (&json!(201), &json!("data"), &json!(MAX_FILE)),
            "{e}"
        );
    }
    drop(over);
    assert_eq!(p.files_stored().await, stored, "an oversized file was kept");

    // Exactly 50,000,000 bytes: accepted, and read back whole.
    file.truncate(MAX_FILE);
    let digest = sha(&file);
    let exact = data_body(&file);
    drop(file);
    let r = p.call(Method::POST, &files, FILES, Body::Raw(exact)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let file_id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(p.files_stored().await, stored + 1);
    let back = p.read_file(&id, &file_id).await;
    assert_eq!(back.len(), MAX_FILE);
    assert_eq!(sha(&back), digest);
    drop(back);

    // A body far past the limit (~70 MB of base64) is refused before it is read whole.
    let mut huge = String::with_capacity(70_000_020);
    huge.push_str("{\"data\":\"");
    huge.push_str(&B64.encode(crate::common::png_header(10, 10)));
    while huge.len() < 70_000_000 {
        huge.push_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    }
    huge.push_str("\"}");
    let r = p
        .call(Method::POST, &files, FILES, Body::Raw(Bytes::from(huge)))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(first_error(&r)["code"], 201);
    assert_eq!(p.files_stored().await, stored + 1);
    // JSON routes keep the ordinary JSON limit.
    let limit = p.server.config.server.json_body_limit;
    let big_json = format!(
        "{{\"role\":\"INDIVIDUAL_CUSTOMER\",\"collected_data\":{{\"entity_type\":\"INDIVIDUAL\",\"customer_ref\":\"{}\"}}}}",
        "x".repeat(limit + 1)
    );
    let r = p
        .request(
            Auth::Header(KEY_A),
            Method::POST,
            "/profiles",
            None,
            Body::Raw(Bytes::from(big_json)),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    vendor_check("Error", first_error(&r), "POST /profiles 413");
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 1);
}

#[tokio::test]
async fn an_upload_body_past_the_limit_is_refused_as_it_arrives() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let stored = p.files_stored().await;
    const GIB: u64 = 1 << 30;
    let preamble = format!(
        "{{\"data\":\"{}",
        B64.encode(crate::common::png_header(10, 10))
    );
    let head = format!(
        "POST /4.0/profiles/{id}/files HTTP/1.1\r\nhost: x\r\napikey: {KEY_A}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{preamble}",
        GIB + preamble.len() as u64
    );
    let stream = tokio::net::TcpStream::connect(p.server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await.unwrap();
        let piece = vec![b'A'; 1 << 20];
        while counter.load(Ordering::Relaxed) < GIB {
            if write.write_all(&piece).await.is_err() {
                break;
            }
            counter.fetch_add(piece.len() as u64, Ordering::Relaxed);
        }
    });
    // The server answers 413 and closes with the rest unread; the kernel may reset the
    // connection before the answer is read. Either way the writer must be stopped long
    // before 1 GiB.
    let mut answer = vec![0u8; 12];
    match read.read_exact(&mut answer).await {
        Ok(_) => assert_eq!(&answer, b"HTTP/1.1 413"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(60), writer).await;
    assert!(stopped.is_ok(), "the server kept reading the body");
    let taken = sent.load(Ordering::Relaxed);
    assert!(
        taken < GIB / 4,
        "the server read {} MiB of a 1 GiB body before refusing it",
        taken >> 20
    );
    assert_eq!(p.files_stored().await, stored);
}

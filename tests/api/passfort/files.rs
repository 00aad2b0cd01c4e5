//! PassFort files and document images.

use super::*;

#[tokio::test]
async fn files_take_base64_or_data_uris_of_the_accepted_types_only() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;

    // No name: "Untitled".
    let untitled = p.add_file(&id, json!({"data": B64.encode(png(1))})).await;
    assert_eq!(
        (&untitled["name"], &untitled["decrypted_data"]),
        (&json!("Untitled"), &json!(""))
    );
    let r = p
        .get(
            &format!("/profiles/{id}/files/{}", untitled["id"].as_str().unwrap()),
            FILE,
        )
        .await;
    assert_eq!(r.body["name"], "Untitled");
    // A data URI, and every accepted type, judged by content.
    let mut tiff_be = b"MM\0*\0\0\0\x08".to_vec();
    tiff_be.extend([7u8; 100]);
    let accepted: Vec<(&str, Vec<u8>, bool)> = vec![
        ("png", png(2), true),
        (
            "jpeg",
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[3u8; 300]].concat(),
            false,
        ),
        ("gif", b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0".to_vec(), false),
        ("gif87", b"GIF87a\x02\0\x02\0\0\0\0".to_vec(), true),
        ("pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(), false),
        (
            "tiff",
            [&b"II*\0\x08\0\0\0"[..], &[1u8; 100]].concat(),
            true,
        ),
        ("tiff-be", tiff_be, false),
    ];
    for (name, bytes, as_uri) in accepted {
        let data = if as_uri {
            format!(
                "data:application/octet-stream;base64,{}",
                B64.encode(&bytes)
            )
        } else {
            B64.encode(&bytes)
        };
        let f = p
            .add_file(&id, json!({"data": data, "name": format!("{name}.bin")}))
            .await;
        assert_eq!(f["name"], format!("{name}.bin"));
        assert_eq!(
            p.read_file(&id, f["id"].as_str().unwrap()).await,
            bytes,
            "{name}"
        );
    }
    // JSON may escape '/' in the base64; unpadded base64 is accepted too.
    let bytes = B64.decode(SEED_FILE).unwrap();
    let escaped = format!(
        "{{\"data\": \"{}\", \"name\": \"escaped\"}}",
        SEED_FILE.replace('/', "\\/")
    );
    assert!(escaped.contains("\\/"));
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/files"),
            FILES,
            Body::Raw(Bytes::from(escaped)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        p.read_file(&id, r.body["id"].as_str().unwrap()).await,
        bytes
    );
    let unpadded = B64.encode(&bytes[..bytes.len() - 1]);
    assert!(unpadded.ends_with('='));
    let f = p
        .add_file(&id, json!({"data": unpadded.trim_end_matches('=')}))
        .await;
    assert_eq!(
        p.read_file(&id, f["id"].as_str().unwrap()).await,
        &bytes[..bytes.len() - 1]
    );
    // Files are not document images.
    assert_eq!(p.images(&id).await, Vec::<Value>::new());

    // Refused: nothing stored.
    let stored = p.files_stored().await;
    let webp = [&b"RIFF\x10\0\0\0WEBPVP8 "[..], &[0u8; 64]].concat();
    let mut bmp = b"BM".to_vec();
    bmp.extend([0u8; 12]);
    bmp.extend(40u32.to_le_bytes());
    bmp.extend([0u8; 40]);
    for (name, bytes) in [
        ("text", b"just some text, not an image".to_vec()),
        ("webp", webp),
        ("bmp", bmp),
        ("exe", b"MZ\x90\0program".to_vec()),
    ] {
        for path in [
            format!("/profiles/{id}/files"),
            format!("/profiles/{id}/document_images"),
        ] {
            let template = if path.ends_with("files") {
                FILES
            } else {
                IMAGES
            };
            let r = p
                .post(&path, template, json!({"data": B64.encode(&bytes)}))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{name} {path}: {}",
                r.body
            );
            assert_eq!(
                (&first_error(&r)["code"], &first_error(&r)["info"]["field"]),
                (&json!(201), &json!("data")),
                "{name}"
            );
        }
    }
    // A declared PNG whose content is text is judged by content; so is empty content.
    for data in [
        format!("data:image/png;base64,{}", B64.encode("hello")),
        String::new(),
    ] {
        let r = p
            .post(
                &format!("/profiles/{id}/files"),
                FILES,
                json!({"data": data}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{data:?}: {}",
            r.body
        );
        assert_eq!(first_error(&r)["info"]["field"], "data");
    }
    for body in [
        json!({"name": "no data"}),
        json!({"data": "not base64 at all!"}),
        json!({"data": 12345}),
        json!({"data": null}),
        json!({"data": "data:image/png,notbase64"}),
        json!({"data": format!("{}\\u0041", &SEED_FILE[..40])}),
    ] {
        let r = p
            .post(&format!("/profiles/{id}/files"), FILES, body.clone())
            .await;
        assert_invalid(&r, "data", &body.to_string());
    }
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/files"),
            FILES,
            Body::Raw(Bytes::from_static(b"{\"data\": ")),
        )
        .await;
    assert_eq!(
        (r.status, &first_error(&r)["code"]),
        (StatusCode::BAD_REQUEST, &json!(201))
    );
    assert_eq!(p.files_stored().await, stored, "a refused file was kept");
}

#[tokio::test]
async fn document_images_are_added_listed_and_read() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let base = format!("/profiles/{id}/document_images");

    // Nothing yet: every form of the list is empty.
    assert_eq!(p.images(&id).await, Vec::<Value>::new());
    let empty = p.post_image_list(&id, Body::Empty).await;
    assert_eq!((empty.status, &empty.body), (StatusCode::OK, &json!([])));

    let front = p.add_image(&id, json!({"data": B64.encode(png(1))})).await;
    assert_eq!(front["image_type"], "FRONT", "FRONT is the default");
    let back = p
        .add_image(
            &id,
            json!({"data": format!("data:image/png;base64,{}", B64.encode(png(2))), "image_type": "BACK",
                   "document_type": "DRIVING_LICENCE", "document_category": "PROOF_OF_IDENTITY"}),
        )
        .await;
    assert_eq!(
        (
            &back["image_type"],
            &back["document_type"],
            &back["document_category"]
        ),
        (
            &json!("BACK"),
            &json!("DRIVING_LICENCE"),
            &json!("PROOF_OF_IDENTITY")
        )
    );
    assert_datetime(&back["upload_date"]);
    let face = p
        .add_image(&id, json!({"data": SEED_FACE, "image_type": "FACE"}))
        .await;
    // A plain file is not listed among document images.
    p.add_file(&id, json!({"data": B64.encode(png(9))})).await;

    let all = json!([front, back, face]);
    assert_eq!(Value::Array(p.images(&id).await), all);
    for body in [
        Body::Empty,
        Body::Json(json!({})),
        Body::Raw(Bytes::from_static(b"  \n")),
    ] {
        let r = p.post_image_list(&id, body).await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &all));
    }
    for img in [&front, &back, &face] {
        let r = p
            .get(&format!("{base}/{}", img["id"].as_str().unwrap()), IMAGE)
            .await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, img));
    }
    // The content of a document image is read as a file.
    assert_eq!(p.read_file(&id, back["id"].as_str().unwrap()).await, png(2));
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!(profile.body["document_images"], all);

    // Bad input: nothing stored.
    let stored = p.files_stored().await;
    for body in [
        json!({"data": B64.encode(png(3)), "image_type": "SIDE"}),
        json!({"data": B64.encode(png(3)), "document_type": "DRIVING_LICENSE"}),
        json!({"data": B64.encode(png(3)), "document_category": "IDENTITY"}),
    ] {
        let r = p.post(&base, IMAGES, body.clone()).await;
        assert_eq!(
            (r.status, &first_error(&r)["code"]),
            (StatusCode::BAD_REQUEST, &json!(201)),
            "{body}"
        );
    }
    let r = p
        .post(&base, IMAGES, json!({"data": "%%%", "image_type": "FRONT"}))
        .await;
    assert_invalid(&r, "data", "bad base64");
    assert_eq!(p.files_stored().await, stored);
    assert_eq!(Value::Array(p.images(&id).await), all);
}

/// The seed lists document images with `POST …/document_images` and no `data`; the server
/// answers with a bare array, so the generated OpenAPI document must say so for that 200.
#[tokio::test]
async fn the_list_form_of_post_document_images_is_in_the_generated_contract() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let front = p
        .add_image(&id, json!({"data": SEED_FILE, "image_type": "FRONT"}))
        .await;
    for body in [Body::Empty, Body::Json(json!({}))] {
        let r = p
            .call(
                Method::POST,
                &format!("/profiles/{id}/document_images"),
                IMAGES,
                body,
            )
            .await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &json!([front])));
    }
}

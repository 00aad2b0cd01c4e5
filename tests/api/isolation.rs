//! Isolation between tenants and between subjects, through every API at once.
//!
//! Two tenants with two subjects each. Every subject gets a document with images through each
//! vendor API (nCore, B2Core "my documents", PassFort, Jumio, MasStack), and every id those
//! APIs hand out is collected, together with everything the admin API lists for the subject.
//! Then each principal, with its own credentials, tries every request that names another
//! principal's ids: the other tenant's ids with its own credentials, its own tenant's other
//! subject's ids wherever the API is subject-scoped, and its own ids mixed with the victim's.
//! The attempts are a table generated from the collected ids, so adding an id adds attempts.
//!
//! Each attempt must get the vendor's refusal (not found or unauthorized, in the vendor's
//! own error shape) and carry no byte of the victim's data: none of its document numbers,
//! names, tokens, ids beyond those in the request, file bytes, their base64 or their digest.
//! Afterwards every principal's documents, files and processes are exactly as they were, and
//! read back the same through their owner's credentials.
//!
//! Nothing secret is printed: failures name the attempt (method, path template, who tried
//! whose ids with which credential) and the kind of data that leaked, never the data.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use idbridge::model::{Document, DocumentKind, Namespace, NewDocument, Process, StoredFile};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::common::{ADMIN_A, ADMIN_B, Contract, TestServer, png_header, tenant};

const UA: &str = "idbridge-tests IsolationSuite/v1.0";

// Paths as each API's OpenAPI document spells them (after the API's mount prefix).
const N_LIST: &str = "/users/{user_id}/identifications";
const N_ONE: &str = "/users/{user_id}/identifications/{identification_id}";
const N_FILES: &str = "/users/{user_id}/identifications/{identification_id}/files";
const N_FILE: &str = "/users/{user_id}/identifications/{identification_id}/files/{file_id}";
const N_BROWSE: &str =
    "/users/{user_id}/identifications/{identification_id}/files/{file_id}:browse";
const N_DOWNLOAD: &str =
    "/users/{user_id}/identifications/{identification_id}/files/{file_id}:download";

const M_LIST: &str = "/api/v2/my/documents";
const M_ONE: &str = "/api/v2/my/documents/{documentId}";
const M_FILE: &str = "/api/v2/my/documents/{documentId}/files/{fileId}";

const P_PROFILES: &str = "/profiles";
const P_PROFILE: &str = "/profiles/{profile_id}";
const P_COLLECTED: &str = "/profiles/{profile_id}/collected_data";
const P_DOCUMENTS: &str = "/profiles/{profile_id}/collected_data/documents";
const P_FILES: &str = "/profiles/{profile_id}/files";
const P_FILE: &str = "/profiles/{profile_id}/files/{file_id}";
const P_IMAGES: &str = "/profiles/{profile_id}/document_images";
const P_IMAGE: &str = "/profiles/{profile_id}/document_images/{document_image_id}";

const J_ACCOUNT: &str = "/api/v1/accounts/{accountId}";
const J_EXECUTION: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}";
const J_STATUS: &str =
    "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/status";
const J_PART: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}";
const J_PREPARED: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA";
const J_ALL_PARTS: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts";
const J_PREFILL: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/prefill";
const J_IMAGE: &str = "/api/v1/accounts/{accountId}/credentials/{credentialId}/parts/{classifier}";

const S_COLLECTION: &str = "/orgs/{org_id}/identifications/identity_document";
const S_ONE: &str = "/orgs/{org_id}/identifications/identity_document/{identification_id}";
const S_CLOSE: &str =
    "/orgs/{org_id}/identifications/identity_document/{admin_identification_id}/close";

const A_LIST: &str = "/subjects";
const A_ONE: &str = "/subjects/{subject_id}";
const A_ALIASES: &str = "/subjects/{subject_id}/aliases";
const A_TOKENS: &str = "/subjects/{subject_id}/client-tokens";

// ---------------------------------------------------------------------------------------
// The APIs, credentials and requests

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Api {
    Ncore,
    Mydocs,
    Passfort,
    Jumio,
    Masstack,
    Admin,
}

impl Api {
    const ALL: [Api; 6] = [
        Api::Ncore,
        Api::Mydocs,
        Api::Passfort,
        Api::Jumio,
        Api::Masstack,
        Api::Admin,
    ];

    /// The name of its OpenAPI document.
    fn name(self) -> &'static str {
        match self {
            Api::Ncore => "ncore",
            Api::Mydocs => "mydocs",
            Api::Passfort => "passfort",
            Api::Jumio => "jumio",
            Api::Masstack => "masstack",
            Api::Admin => "admin",
        }
    }

    /// Where it is mounted: what comes before the paths its document spells.
    fn prefix(self) -> &'static str {
        match self {
            Api::Ncore | Api::Masstack => "/v1",
            Api::Mydocs | Api::Jumio => "",
            Api::Passfort => "/4.0",
            Api::Admin => "/admin/v1",
        }
    }
}

/// How a request authenticates.
#[derive(Clone)]
enum Cred {
    /// `apikey: <key>` (nCore, PassFort).
    ApiKey(String),
    /// `Authorization: Bearer <token>` (mydocs, MasStack, Jumio, admin).
    Bearer(String),
}

#[derive(Clone)]
enum FormPart {
    Text(&'static str, String),
    File(&'static str, String, Vec<u8>),
}

#[derive(Clone)]
enum Body {
    Empty,
    Json(Value),
    Form(Vec<FormPart>),
}

impl Body {
    /// The text of the request that a response may legitimately echo (file bytes excluded:
    /// they are the attacker's own).
    fn text(&self) -> String {
        match self {
            Body::Empty => String::new(),
            Body::Json(v) => v.to_string(),
            Body::Form(parts) => parts
                .iter()
                .map(|p| match p {
                    FormPart::Text(n, v) => format!("{n}={v}\n"),
                    FormPart::File(n, name, _) => format!("{n}:{name}\n"),
                })
                .collect(),
        }
    }
}

struct Reply {
    status: StatusCode,
    /// The headers, one `name: value` line each.
    head: Vec<u8>,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// Which of `secrets` the answer carries, in its headers or its body, leaving out those
    /// the request itself carried.
    fn carries<'s>(&self, request: &str, secrets: &'s [Secret]) -> BTreeSet<&'s str> {
        secrets
            .iter()
            .filter(|s| !contains(request.as_bytes(), &s.needle))
            .filter(|s| contains(&self.head, &s.needle) || contains(&self.bytes, &s.needle))
            .map(|s| s.what.as_str())
            .collect()
    }
}

/// What an attempt must get.
#[derive(Clone, Copy)]
enum Expect {
    /// The vendor's refusal with this status. `detail` is, for a 400, the field the error
    /// names; for a PassFort 404, what it says was not found.
    Refused(u16, Option<&'static str>),
    /// 200 with the attacker's own view (a list), which must hold nothing of the victim's
    /// and does show the attacker's own data.
    OwnView,
    /// 200 with a search of the attacker's own view for the victim: nothing found.
    NoneFound,
}

/// One request naming another principal's ids.
struct Attempt {
    api: Api,
    method: Method,
    template: &'static str,
    /// A path on the server, or an absolute URL the server handed out.
    url: String,
    cred: Cred,
    /// Which of the attacker's credentials `cred` is (for messages).
    cred_name: &'static str,
    body: Body,
    expect: Expect,
    attacker: usize,
    victim: usize,
}

/// Something of a principal's that no other principal may receive, and what it is.
struct Secret {
    what: String,
    needle: Vec<u8>,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack.len() >= needle.len()
        && haystack.windows(needle.len()).any(|w| w == needle)
}

/// `bytes` with every secret replaced by its description, cut short: printable.
fn redacted(bytes: &[u8], secrets: &[Secret]) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for s in secrets {
        if let Ok(needle) = std::str::from_utf8(&s.needle) {
            text = text.replace(needle, &format!("<{}>", s.what));
        }
    }
    text.chars().take(300).collect()
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A PNG Jumio, nCore, mydocs and PassFort all accept (640 × 400 by its header), carrying a
/// marker no other file has, so its bytes can be looked for in any answer.
fn secret_png(label: &str) -> Vec<u8> {
    let mut v = png_header(640, 400);
    let seed = Sha256::digest(label.as_bytes());
    v.extend_from_slice(&seed);
    v.extend_from_slice(&Sha256::digest(seed));
    v.extend((0..800u32).map(|i| (i as u8).wrapping_mul(seed[0] | 1).wrapping_add(seed[1])));
    v
}

/// What of a file must not leak: its marker as bytes, the marker in base64 at each of the
/// three alignments (so a base64 encoding of any stream that contains the marker contains one
/// of them), and the file's SHA-256 (nCore's metadata and every ETag carry it).
fn file_secrets(what: &str, bytes: &[u8]) -> Vec<Secret> {
    let at = png_header(640, 400).len();
    let marker = &bytes[at..at + 64];
    let mut out = vec![
        Secret {
            what: format!("{what}: file bytes"),
            needle: marker.to_vec(),
        },
        Secret {
            what: format!("{what}: file digest"),
            needle: sha_hex(bytes).into_bytes(),
        },
    ];
    for k in 0..3 {
        out.push(Secret {
            what: format!("{what}: file bytes in base64"),
            needle: B64.encode(&marker[k..k + 48]).into_bytes(),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// The principals

/// One document of a subject, as the admin API lists it.
struct DocRef {
    id: Uuid,
    seq: i64,
    /// Its files: id and Jumio classifier of the side (`None` for a side Jumio has no name
    /// for).
    files: Vec<(Uuid, Option<String>)>,
}

/// A tenant's credentials.
#[derive(Clone)]
struct Keys {
    admin: &'static str,
    api: String,
    masstack: String,
    org: String,
    /// A Jumio access token of the tenant.
    access: String,
}

/// A subject of a tenant, with the credentials that act for it and everything it owns.
struct Principal {
    name: String,
    tenant: &'static str,
    keys: Keys,
    subject: Uuid,
    /// Its B2Core client token.
    client_token: String,
    ncore_identification: Uuid,
    mydocs_document: i64,
    /// `downloadUrl`s of its mydocs document (absolute).
    mydocs_links: Vec<String>,
    /// A PassFort document image on no document: free for a new document of its profile.
    passfort_free_image: Uuid,
    jumio_execution: Uuid,
    /// The execution's `api.token`.
    jumio_token: String,
    jumio_credential: Uuid,
    /// `api.parts` URLs of the ID credential (absolute).
    jumio_parts: Vec<String>,
    masstack_identification: Uuid,
    /// Every document (admin API).
    documents: Vec<DocRef>,
    /// Every file, attached or not (admin API).
    files: Vec<Uuid>,
    /// The files PassFort shows as document images.
    images: Vec<Uuid>,
    /// Every process (admin API).
    processes: Vec<Uuid>,
    secrets: Vec<Secret>,
    /// SHA-256 of every file uploaded for it.
    contents: BTreeSet<String>,
}

impl Principal {
    fn tenant_id(&self) -> idbridge::model::TenantId {
        tenant(self.tenant)
    }

    fn seqs(&self) -> Vec<i64> {
        self.documents.iter().map(|d| d.seq).collect()
    }

    fn doc_ids(&self) -> Vec<Uuid> {
        self.documents.iter().map(|d| d.id).collect()
    }

    /// (document, file, classifier) for every attached file.
    fn attached(&self) -> Vec<(Uuid, i64, Uuid, Option<String>)> {
        self.documents
            .iter()
            .flat_map(|d| {
                d.files
                    .iter()
                    .map(move |(f, c)| (d.id, d.seq, *f, c.clone()))
            })
            .collect()
    }
}

struct World {
    server: TestServer,
    contracts: BTreeMap<Api, Contract>,
    /// The four principals.
    principals: Vec<Principal>,
    /// Subjects of one tenant made with the id of another tenant's subject (see the second
    /// test).
    twins: Vec<Principal>,
}

impl World {
    async fn build() -> World {
        let mut w = World {
            server: TestServer::start().await,
            contracts: Api::ALL
                .iter()
                .map(|a| (*a, Contract::of(a.name())))
                .collect(),
            principals: Vec::new(),
            twins: Vec::new(),
        };
        let alpha = w.keys("alpha", ADMIN_A).await;
        let beta = w.keys("beta", ADMIN_B).await;
        for n in [1, 2] {
            let p = w.principal("alpha", n, &alpha).await;
            w.principals.push(p);
        }
        // B2Core's document ids are a per-tenant sequence, so beta's would be 1, 2, … like
        // alpha's, and a beta client asking for alpha's document 3 would get its own document
        // 3 (rightly). Documents of a third beta subject take up alpha's numbers, and room for
        // the few alpha adds later (the second test's), so every number an alpha client holds
        // names, in beta, a document of nobody attacking here, and the other way round.
        let taken = w.principals.iter().flat_map(Principal::seqs).max().unwrap() + 32;
        let store = &w.server.store;
        let padding = store
            .create_subject(&tenant("beta"), None, Some("padding".into()), &[])
            .await
            .unwrap();
        for _ in 0..taken {
            let new = NewDocument {
                kind: Some(DocumentKind::Other),
                ..Default::default()
            };
            store
                .create_document(&tenant("beta"), padding.id, new.validate().unwrap())
                .await
                .unwrap();
        }
        for n in [1, 2] {
            let p = w.principal("beta", n, &beta).await;
            w.principals.push(p);
        }
        let alpha_seqs: BTreeSet<i64> =
            w.principals[..2].iter().flat_map(Principal::seqs).collect();
        let beta_seqs: BTreeSet<i64> = w.principals[2..].iter().flat_map(Principal::seqs).collect();
        assert!(
            alpha_seqs.is_disjoint(&beta_seqs),
            "the padding no longer keeps the tenants' B2Core ids apart"
        );
        w
    }

    fn url(&self, url: &str) -> String {
        if url.starts_with("http") {
            url.to_owned()
        } else {
            self.server.url(url)
        }
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        cred: &Cred,
        body: &Body,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self
            .server
            .client
            .request(method, self.url(url))
            .header("user-agent", UA);
        req = match cred {
            Cred::ApiKey(k) => req.header("apikey", k),
            Cred::Bearer(t) => req.bearer_auth(t),
        };
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req.json(v),
            Body::Form(parts) => {
                let mut form = Form::new();
                for p in parts {
                    form = match p {
                        FormPart::Text(n, v) => form.text(*n, v.clone()),
                        FormPart::File(n, name, bytes) => {
                            form.part(*n, Part::bytes(bytes.clone()).file_name(name.clone()))
                        }
                    };
                }
                req.multipart(form)
            }
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        let mut head = Vec::new();
        for (name, value) in res.headers() {
            head.extend_from_slice(name.as_str().as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.push(b'\n');
        }
        let bytes = res.bytes().await.unwrap().to_vec();
        Reply {
            status,
            head,
            bytes,
        }
    }

    /// A setup request that must succeed with `status`; its JSON answer.
    async fn ok(&self, method: Method, url: &str, cred: &Cred, body: Body, status: u16) -> Value {
        self.ok_with(method, url, cred, body, status, &[]).await
    }

    async fn ok_with(
        &self,
        method: Method,
        url: &str,
        cred: &Cred,
        body: Body,
        status: u16,
        headers: &[(&str, &str)],
    ) -> Value {
        let what = format!("{method} {}", url.split('?').next().unwrap_or(url));
        let reply = self.send(method, url, cred, &body, headers).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "setup {what}: {}",
            String::from_utf8_lossy(&reply.bytes)
        );
        reply.json()
    }

    async fn keys(&self, id: &str, admin: &'static str) -> Keys {
        let res = self
            .server
            .client
            .post(self.server.url("/oauth2/token"))
            .header("user-agent", UA)
            .basic_auth(
                format!("test-jumio-{id}"),
                Some(format!("test-jumio-secret-{id}")),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "Jumio access token of {id}");
        let body: Value = res.json().await.unwrap();
        Keys {
            admin,
            api: format!("test-api-key-{id}"),
            masstack: format!("test-masstack-key-{id}"),
            org: format!("org-{id}"),
            access: body["access_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A subject of tenant `t` with a document with images through every vendor API.
    async fn principal(&self, t: &'static str, n: u8, keys: &Keys) -> Principal {
        let name = format!("{t}/s{n}");
        let tag = format!("{}S{n}", t.to_uppercase());
        let low = format!("{t}-s{n}");
        let api = Cred::ApiKey(keys.api.clone());
        let access = Cred::Bearer(keys.access.clone());
        let admin = Cred::Bearer(keys.admin.to_owned());
        let mut secrets = Vec::new();
        let mut contents = BTreeSet::new();
        let mut image = |what: &str| {
            let bytes = secret_png(&format!("{name}/{what}"));
            secrets.extend(file_secrets(&format!("{name}'s {what}"), &bytes));
            contents.insert(sha_hex(&bytes));
            bytes
        };
        let ncore_pages = [image("nCore page 1"), image("nCore page 2")];
        let mydocs_sides = [image("mydocs front"), image("mydocs back")];
        let mydocs_upload = image("mydocs upload");
        let passfort_images = [image("PassFort front"), image("PassFort back")];
        let passfort_free = image("PassFort free image");
        let passfort_file = image("PassFort file");
        let jumio_sides = [image("Jumio front"), image("Jumio back")];

        let ncore_number = format!("NC{tag}P4417");
        let passfort_number = format!("PF{tag}D4417");
        let jumio_number = format!("JU{tag}I4417");
        let texts = [
            ("document number", ncore_number.clone()),
            ("document number", passfort_number.clone()),
            ("document number", jumio_number.clone()),
            ("given name", format!("Given{tag}")),
            ("family name", format!("Family{tag}")),
            ("issuing authority", format!("Authority{tag}")),
            ("customer reference", format!("CIR{tag}")),
            ("first name", format!("First{tag}")),
            ("last name", format!("Last{tag}")),
            ("MasStack name", format!("MsName{tag}")),
            ("MasStack last name", format!("MsLast{tag}")),
            ("file name", format!("{low}-ncore-1.png")),
            ("file name", format!("{low}-ncore-2.png")),
            ("file name", format!("{low}-mydocs-front.png")),
            ("file name", format!("{low}-mydocs-back.png")),
            ("file name", format!("{low}-mydocs-upload.png")),
            ("file name", format!("{low}-passfort-file")),
            ("file name", format!("{low}-jumio-front.png")),
            ("file name", format!("{low}-jumio-back.png")),
            ("nCore idempotency key", format!("idem-{low}")),
        ];

        // PassFort: the profile is the subject.
        let profile = self
            .ok(
                Method::POST,
                "/4.0/profiles",
                &api,
                Body::Json(json!({
                    "role": "INDIVIDUAL_CUSTOMER",
                    "collected_data": {
                        "entity_type": "INDIVIDUAL",
                        "personal_details": {"name": {"given_names": [format!("Given{tag}")], "family_name": format!("Family{tag}")}},
                    }
                })),
                200,
            )
            .await;
        let subject: Uuid = profile["id"].as_str().unwrap().parse().unwrap();
        let s = subject;
        let mut image_ids = Vec::new();
        for (data, side) in passfort_images.iter().zip(["FRONT", "BACK"]) {
            let img = self
                .ok(
                    Method::POST,
                    &format!("/4.0/profiles/{s}/document_images"),
                    &api,
                    Body::Json(json!({"data": B64.encode(data), "image_type": side})),
                    200,
                )
                .await;
            image_ids.push(json!({"id": img["id"]}));
        }
        self.ok(
            Method::POST,
            &format!("/4.0/profiles/{s}/collected_data/documents"),
            &api,
            Body::Json(json!({
                "category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENCE",
                "images": image_ids, "extracted_data": {"number": passfort_number},
            })),
            200,
        )
        .await;
        let free = self
            .ok(
                Method::POST,
                &format!("/4.0/profiles/{s}/document_images"),
                &api,
                Body::Json(json!({"data": B64.encode(&passfort_free), "image_type": "FACE"})),
                200,
            )
            .await;
        let passfort_free_image: Uuid = free["id"].as_str().unwrap().parse().unwrap();
        self.ok(
            Method::POST,
            &format!("/4.0/profiles/{s}/files"),
            &api,
            Body::Json(
                json!({"data": B64.encode(&passfort_file), "name": format!("{low}-passfort-file")}),
            ),
            200,
        )
        .await;

        // B2Core: a client token from the admin API, a document and an upload left unused.
        let minted = self
            .ok(
                Method::POST,
                &format!("/admin/v1/subjects/{s}/client-tokens"),
                &admin,
                Body::Json(json!({})),
                201,
            )
            .await;
        let client_token = minted["token"].as_str().unwrap().to_owned();
        let client = Cred::Bearer(client_token.clone());
        let doc = self
            .ok(
                Method::POST,
                "/api/v2/my/documents",
                &client,
                Body::Form(vec![
                    FormPart::Text("typeID", "2".into()),
                    FormPart::File(
                        "file",
                        format!("{low}-mydocs-front.png"),
                        mydocs_sides[0].clone(),
                    ),
                    FormPart::File(
                        "file",
                        format!("{low}-mydocs-back.png"),
                        mydocs_sides[1].clone(),
                    ),
                ]),
                201,
            )
            .await;
        let mydocs_document = doc["id"].as_i64().unwrap();
        let mydocs_links: Vec<String> = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["downloadUrl"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(mydocs_links.len(), 2);
        let upload = self
            .ok(
                Method::POST,
                "/api/v2/my/files",
                &client,
                Body::Form(vec![FormPart::File(
                    "file",
                    format!("{low}-mydocs-upload.png"),
                    mydocs_upload,
                )]),
                201,
            )
            .await;
        assert!(upload["path"].as_str().unwrap().starts_with("uploads/"));

        // nCore: the user id is the subject's UUID.
        let ident = self
            .ok_with(
                Method::POST,
                &format!("/v1/users/{s}/identifications"),
                &api,
                Body::Json(json!({
                    "type": "PASSPORT", "number": ncore_number,
                    "issuance_authority": format!("Authority{tag}"),
                })),
                200,
                &[("x-nymos-idempotency-key", &format!("idem-{low}"))],
            )
            .await;
        let ncore_identification: Uuid = ident["id"].as_str().unwrap().parse().unwrap();
        self.ok(
            Method::PUT,
            &format!("/v1/users/{s}/identifications/{ncore_identification}/files"),
            &api,
            Body::Form(vec![
                FormPart::Text("identification_document_type", "PASSPORT_PAGE1".into()),
                FormPart::File("file", format!("{low}-ncore-1.png"), ncore_pages[0].clone()),
                FormPart::Text("identification_document_type", "PASSPORT_PAGE2".into()),
                FormPart::File("file", format!("{low}-ncore-2.png"), ncore_pages[1].clone()),
            ]),
            200,
        )
        .await;

        // Jumio: the subject is an account; a new execution with an ID credential, both
        // sides, and a prefill that gives its document a number. It stays INITIATED, so its
        // part URLs stay writable for the one who holds its api.token.
        let opened = self
            .ok(
                Method::PUT,
                &format!("/api/v1/accounts/{s}"),
                &access,
                Body::Json(json!({
                    "customerInternalReference": format!("CIR{tag}"),
                    "workflowDefinition": {"key": 2, "credentials": [{"category": "ID", "type": {"values": ["ID_CARD"]}}]},
                })),
                200,
            )
            .await;
        assert_eq!(opened["account"]["id"], s.to_string());
        let execution = &opened["workflowExecution"];
        let jumio_execution: Uuid = execution["id"].as_str().unwrap().parse().unwrap();
        let credential = &execution["credentials"][0];
        let jumio_credential: Uuid = credential["id"].as_str().unwrap().parse().unwrap();
        let jumio_token = credential["api"]["token"].as_str().unwrap().to_owned();
        let parts = &credential["api"]["parts"];
        let jumio_parts: Vec<String> = ["front", "back"]
            .iter()
            .map(|k| parts[*k].as_str().unwrap().to_owned())
            .collect();
        let token = Cred::Bearer(jumio_token.clone());
        for ((url, bytes), side) in jumio_parts.iter().zip(&jumio_sides).zip(["front", "back"]) {
            self.ok(
                Method::POST,
                url,
                &token,
                Body::Form(vec![FormPart::File(
                    "file",
                    format!("{low}-jumio-{side}.png"),
                    bytes.clone(),
                )]),
                200,
            )
            .await;
        }
        self.ok(
            Method::POST,
            &format!(
                "/api/v1/accounts/{s}/workflow-executions/{jumio_execution}/credentials/{jumio_credential}/prefill"
            ),
            &token,
            Body::Json(json!({
                "firstName": format!("First{tag}"), "lastName": format!("Last{tag}"),
                "id": {"idNumber": jumio_number, "type": "ID_CARD"},
            })),
            200,
        )
        .await;

        // MasStack: the declared passport is the nCore one, so the actor is this subject.
        let ms = self
            .ok(
                Method::POST,
                &format!("/v1/orgs/{}/identifications/identity_document", keys.org),
                &Cred::Bearer(keys.masstack.clone()),
                Body::Json(json!({
                    "name": format!("MsName{tag}"), "last_name": format!("MsLast{tag}"),
                    "identity_document": {"document_number": ncore_number, "document_type": "PASSPORT"},
                    "configuration_name": "LOW",
                })),
                200,
            )
            .await;
        assert_eq!(
            ms["actor"]["subject_id"],
            s.to_string(),
            "MasStack's actor is the subject holding the passport"
        );
        let masstack_identification: Uuid = ms["id"].as_str().unwrap().parse().unwrap();

        // Everything the subject owns, as the admin API lists it.
        let all = self
            .ok(
                Method::GET,
                &format!("/admin/v1/subjects/{s}"),
                &admin,
                Body::Empty,
                200,
            )
            .await;
        let uuid = |v: &Value| -> Uuid { v.as_str().unwrap().parse().unwrap() };
        let documents: Vec<DocRef> = all["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| DocRef {
                id: uuid(&d["id"]),
                seq: d["seq"].as_i64().unwrap(),
                files: d["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| (uuid(&f["id"]), classifier(f["side"].as_str().unwrap())))
                    .collect(),
            })
            .collect();
        let mut files: Vec<Uuid> = documents
            .iter()
            .flat_map(|d| d.files.iter().map(|(f, _)| *f))
            .collect();
        files.extend(
            all["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| uuid(&f["id"])),
        );
        let processes: Vec<Uuid> = all["processes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| uuid(&p["id"]))
            .collect();
        let images: Vec<Uuid> = self
            .ok(
                Method::GET,
                &format!("/4.0/profiles/{s}/document_images"),
                &api,
                Body::Empty,
                200,
            )
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|i| uuid(&i["id"]))
            .collect();
        // What the vendor APIs handed out is all in the admin listing, and each subject has
        // what was written for it.
        let doc_ids: BTreeSet<Uuid> = documents.iter().map(|d| d.id).collect();
        for id in [ncore_identification, jumio_credential] {
            assert!(doc_ids.contains(&id), "{name}: a vendor's id is not listed");
        }
        for id in [jumio_execution, masstack_identification] {
            assert!(processes.contains(&id), "{name}: a process is not listed");
        }
        assert!(documents.iter().any(|d| d.seq == mydocs_document));
        assert_eq!(
            (documents.len(), files.len(), images.len(), processes.len()),
            (4, 11, 10, 2),
            "{name}: documents, files, document images, processes"
        );
        assert_eq!(contents.len(), files.len());

        for (what, text) in texts {
            secrets.push(Secret {
                what: format!("{name}'s {what}"),
                needle: text.into_bytes(),
            });
        }
        let ids = std::iter::once(("subject id", s))
            .chain(doc_ids.iter().map(|d| ("document id", *d)))
            .chain(files.iter().map(|f| ("file id", *f)))
            .chain(processes.iter().map(|p| ("process id", *p)));
        for (what, id) in ids {
            secrets.push(Secret {
                what: format!("{name}'s {what}"),
                needle: id.to_string().into_bytes(),
            });
        }
        for (what, token) in [
            ("client token", &client_token),
            ("Jumio api.token", &jumio_token),
        ] {
            secrets.push(Secret {
                what: format!("{name}'s {what}"),
                needle: token.clone().into_bytes(),
            });
        }

        Principal {
            name,
            tenant: t,
            keys: keys.clone(),
            subject,
            client_token,
            ncore_identification,
            mydocs_document,
            mydocs_links,
            passfort_free_image,
            jumio_execution,
            jumio_token,
            jumio_credential,
            jumio_parts,
            masstack_identification,
            documents,
            files,
            images,
            processes,
            secrets,
            contents,
        }
    }

    /// The twin principal `ai`'s tenant got when it wrote for principal `vi`'s subject id
    /// (`created`: the nCore identification that made it). Its own data is made its own
    /// (the number and authority it sent were the victim's), and it gets a B2Core client
    /// token and a Jumio execution, like every principal.
    async fn twin(&self, ai: usize, vi: usize, created: &Value) -> Principal {
        let (writer, victim) = (&self.principals[ai], &self.principals[vi]);
        let keys = writer.keys.clone();
        let name = format!("{}'s twin of {}", writer.tenant, victim.name);
        let s = victim.subject;
        let api = Cred::ApiKey(keys.api.clone());
        let admin = Cred::Bearer(keys.admin.to_owned());
        let ident: Uuid = created["id"].as_str().unwrap().parse().unwrap();
        let number = format!("TWIN{}", tag_of(victim));
        self.ok(
            Method::PUT,
            &format!("/v1/users/{s}/identifications/{ident}"),
            &api,
            Body::Json(json!({"number": number, "issuance_authority": null})),
            200,
        )
        .await;
        let minted = self
            .ok(
                Method::POST,
                &format!("/admin/v1/subjects/{s}/client-tokens"),
                &admin,
                Body::Json(json!({})),
                201,
            )
            .await;
        let opened = self
            .ok(
                Method::PUT,
                &format!("/api/v1/accounts/{s}"),
                &Cred::Bearer(keys.access.clone()),
                Body::Json(json!({
                    "customerInternalReference": "TWIN",
                    "workflowDefinition": {"key": 2, "credentials": [{"category": "ID", "type": {"values": ["ID_CARD"]}}]},
                })),
                200,
            )
            .await;
        let execution = &opened["workflowExecution"];
        let credential = &execution["credentials"][0];
        let all = self
            .ok(
                Method::GET,
                &format!("/admin/v1/subjects/{s}"),
                &admin,
                Body::Empty,
                200,
            )
            .await;
        let uuid = |v: &Value| -> Uuid { v.as_str().unwrap().parse().unwrap() };
        let documents: Vec<DocRef> = all["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| DocRef {
                id: uuid(&d["id"]),
                seq: d["seq"].as_i64().unwrap(),
                files: Vec::new(),
            })
            .collect();
        let processes: Vec<Uuid> = all["processes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| uuid(&p["id"]))
            .collect();
        assert!(
            documents.iter().all(|d| !victim.seqs().contains(&d.seq)),
            "{name}: the padding no longer keeps the tenants' B2Core ids apart"
        );
        let jumio_credential = uuid(&credential["id"]);
        let own = documents
            .iter()
            .map(|d| ("document id", d.id.to_string()))
            .chain(processes.iter().map(|p| ("process id", p.to_string())))
            .chain([
                ("Jumio credential id", jumio_credential.to_string()),
                ("document number", number.clone()),
            ]);
        let secrets = own
            .map(|(what, text)| Secret {
                what: format!("{name}'s {what}"),
                needle: text.into_bytes(),
            })
            .collect();
        Principal {
            mydocs_document: documents.iter().find(|d| d.id == ident).unwrap().seq,
            name,
            tenant: writer.tenant,
            keys,
            subject: s,
            client_token: minted["token"].as_str().unwrap().to_owned(),
            ncore_identification: ident,
            mydocs_links: Vec::new(),
            // Only what an attacker uses is set: a twin is never a victim.
            passfort_free_image: Uuid::nil(),
            jumio_execution: uuid(&execution["id"]),
            jumio_token: credential["api"]["token"].as_str().unwrap().to_owned(),
            jumio_credential,
            jumio_parts: Vec::new(),
            masstack_identification: Uuid::nil(),
            documents,
            files: Vec::new(),
            images: Vec::new(),
            processes,
            secrets,
            contents: BTreeSet::new(),
        }
    }

    // -----------------------------------------------------------------------------------
    // Checking an attempt

    /// A principal by index: the four, then the twins.
    fn who(&self, i: usize) -> &Principal {
        self.principals
            .get(i)
            .unwrap_or_else(|| &self.twins[i - self.principals.len()])
    }

    fn describe(&self, a: &Attempt) -> String {
        format!(
            "{} {} {}{} as {} with its {}, naming {}'s ids",
            a.api.name(),
            a.method,
            a.api.prefix(),
            a.template,
            self.who(a.attacker).name,
            a.cred_name,
            self.who(a.victim).name,
        )
    }

    /// What is wrong with the answer to an attempt, if anything.
    fn judge(&self, a: &Attempt, reply: &Reply) -> Option<String> {
        let victim = self.who(a.victim);
        let request = format!("{}\n{}", a.url, a.body.text());
        let leaked = reply.carries(&request, &victim.secrets);
        if !leaked.is_empty() {
            return Some(format!(
                "answered {} carrying {leaked:?}",
                reply.status.as_u16()
            ));
        }
        let status = reply.status.as_u16();
        let problem = match a.expect {
            Expect::Refused(want, detail) if status == want => {
                refusal_shape(a.api, want, detail, reply).err()
            }
            // The attacker's own view carries the attacker's own data: proof that the search
            // above sees data in the shape this answer has.
            Expect::OwnView if status == 200 => reply
                .carries("", &self.who(a.attacker).secrets)
                .is_empty()
                .then(|| "the attacker's own view shows nothing of its own".to_owned()),
            Expect::NoneFound if status == 200 => {
                let count = reply.json()["count"].clone();
                (count != 0).then(|| format!("the search found {count}"))
            }
            Expect::Refused(want, _) => Some(format!("answered {status}, not {want}")),
            Expect::OwnView | Expect::NoneFound => Some(format!("answered {status}, not 200")),
        };
        if let Some(p) = problem {
            return Some(format!("{p}: {}", redacted(&reply.bytes, &victim.secrets)));
        }
        // The vendor's contract describes the answer (MasStack's refusals have no body).
        if !reply.bytes.is_empty() {
            self.contracts[&a.api].check(a.method.as_str(), a.template, status, &reply.json());
        }
        None
    }

    // -----------------------------------------------------------------------------------
    // What each principal has, before and after

    async fn stored(&self, p: &Principal) -> Stored {
        let store = &self.server.store;
        let t = p.tenant_id();
        Stored {
            documents: store.list_documents(&t, p.subject).await.unwrap(),
            files: store.list_files(&t, p.subject).await.unwrap(),
            processes: store.list_processes(&t, p.subject).await.unwrap(),
            passfort: store
                .subject_data(&t, p.subject, &Namespace::new("passfort").unwrap())
                .await
                .unwrap(),
        }
    }

    /// The principal's data read back through every API with its owner's credentials, and
    /// the SHA-256 of every file's content (read through PassFort, which returns any file of
    /// a profile).
    async fn owner_view(
        &self,
        p: &Principal,
        stored: &Stored,
    ) -> (BTreeMap<&'static str, Value>, BTreeSet<String>) {
        let s = p.subject;
        let api = Cred::ApiKey(p.keys.api.clone());
        let access = Cred::Bearer(p.keys.access.clone());
        let reads: [(&'static str, String, Cred); 8] = [
            (
                "nCore identifications",
                format!("/v1/users/{s}/identifications?limit=100"),
                api.clone(),
            ),
            (
                "mydocs documents",
                "/api/v2/my/documents?limit=100".into(),
                Cred::Bearer(p.client_token.clone()),
            ),
            (
                "PassFort profile",
                format!("/4.0/profiles/{s}"),
                api.clone(),
            ),
            (
                "PassFort document images",
                format!("/4.0/profiles/{s}/document_images"),
                api.clone(),
            ),
            (
                "Jumio details",
                format!(
                    "/api/v1/accounts/{s}/workflow-executions/{}",
                    p.jumio_execution
                ),
                access.clone(),
            ),
            (
                "Jumio status",
                format!(
                    "/api/v1/accounts/{s}/workflow-executions/{}/status",
                    p.jumio_execution
                ),
                access,
            ),
            (
                "MasStack identification",
                format!(
                    "/v1/orgs/{}/identifications/identity_document/{}",
                    p.keys.org, p.masstack_identification
                ),
                Cred::Bearer(p.keys.masstack.clone()),
            ),
            (
                "admin subject",
                format!("/admin/v1/subjects/{s}"),
                Cred::Bearer(p.keys.admin.to_owned()),
            ),
        ];
        let mut views = BTreeMap::new();
        for (what, url, cred) in reads {
            let reply = self.send(Method::GET, &url, &cred, &Body::Empty, &[]).await;
            assert_eq!(reply.status, StatusCode::OK, "{}: {what}", p.name);
            views.insert(what, reply.json());
        }
        // Each read also proves that the search for leaks sees a file in each form it can
        // take: base64 in JSON (PassFort), raw bytes (a download), the digest (metadata).
        let sees = |reply: &Reply, form: &str, what: &str| {
            assert!(
                reply
                    .carries("", &p.secrets)
                    .iter()
                    .any(|s| s.ends_with(form)),
                "{}: {what} is not found as {form:?}",
                p.name
            );
        };
        let mut contents = BTreeSet::new();
        for f in &stored.files {
            let url = format!("/4.0/profiles/{s}/files/{}", f.id);
            let reply = self.send(Method::GET, &url, &api, &Body::Empty, &[]).await;
            assert_eq!(reply.status, StatusCode::OK, "{}: a PassFort file", p.name);
            sees(&reply, "file bytes in base64", "a PassFort file");
            let bytes = B64
                .decode(reply.json()["decrypted_data"].as_str().unwrap())
                .unwrap();
            contents.insert(sha_hex(&bytes));
        }
        let ident = p.ncore_identification;
        for f in stored.files.iter().filter(|f| f.document_id == Some(ident)) {
            let file = format!("/v1/users/{s}/identifications/{ident}/files/{}", f.id);
            for (url, form) in [
                (format!("{file}:download"), "file bytes"),
                (file, "file digest"),
            ] {
                let reply = self.send(Method::GET, &url, &api, &Body::Empty, &[]).await;
                assert_eq!(reply.status, StatusCode::OK, "{}: an nCore file", p.name);
                sees(&reply, form, "an nCore file");
            }
        }
        (views, contents)
    }

    async fn snapshot(&self) -> Vec<Snapshot> {
        let mut out = Vec::new();
        for p in &self.principals {
            let stored = self.stored(p).await;
            let (views, contents) = self.owner_view(p, &stored).await;
            out.push(Snapshot {
                stored,
                views,
                contents,
            });
        }
        out
    }

    /// Subjects per tenant and files in the whole store.
    async fn totals(&self) -> (u64, u64, u64) {
        let store = &self.server.store;
        (
            store
                .list_subjects(&tenant("alpha"), 1, 0)
                .await
                .unwrap()
                .total,
            store
                .list_subjects(&tenant("beta"), 1, 0)
                .await
                .unwrap()
                .total,
            store.count_files().await.unwrap(),
        )
    }

    /// Differences between two snapshots, named (never shown).
    fn changes(&self, before: &[Snapshot], after: &[Snapshot]) -> Vec<String> {
        let mut out = Vec::new();
        for ((p, b), a) in self.principals.iter().zip(before).zip(after) {
            let s = (&b.stored, &a.stored);
            if s.0.documents != s.1.documents {
                out.push(format!(
                    "{}'s stored documents changed ({} before, {} after)",
                    p.name,
                    s.0.documents.len(),
                    s.1.documents.len()
                ));
            }
            if s.0.files != s.1.files {
                out.push(format!(
                    "{}'s stored files changed ({} before, {} after)",
                    p.name,
                    s.0.files.len(),
                    s.1.files.len()
                ));
            }
            if s.0.processes != s.1.processes {
                out.push(format!("{}'s processes changed", p.name));
            }
            if s.0.passfort != s.1.passfort {
                out.push(format!("{}'s PassFort data changed", p.name));
            }
            for (what, view) in &b.views {
                if a.views.get(what) != Some(view) {
                    out.push(format!("{}'s {what}, read by its owner, changed", p.name));
                }
            }
            if b.contents != a.contents {
                out.push(format!("{}'s file contents changed", p.name));
            }
            for (when, s) in [("before", b), ("after", a)] {
                if s.contents != p.contents {
                    out.push(format!(
                        "{}'s files, read {when}, are not the files uploaded",
                        p.name
                    ));
                }
            }
        }
        out
    }
}

#[derive(PartialEq)]
struct Stored {
    documents: Vec<Document>,
    files: Vec<StoredFile>,
    processes: Vec<Process>,
    passfort: Option<Value>,
}

struct Snapshot {
    stored: Stored,
    views: BTreeMap<&'static str, Value>,
    contents: BTreeSet<String>,
}

/// Jumio's classifier for a canonical side.
fn classifier(side: &str) -> Option<String> {
    match side {
        "front" => Some("FRONT".into()),
        "back" => Some("BACK".into()),
        "face" => Some("FACE".into()),
        other => other.strip_prefix("page").map(|n| format!("PAGE_{n}")),
    }
}

/// Whether `reply` is `api`'s own refusal with `status`.
fn refusal_shape(api: Api, status: u16, detail: Option<&str>, reply: &Reply) -> Result<(), String> {
    if api == Api::Masstack {
        // MasStack's 401 and 404 have no body (its seed says "None").
        return if reply.bytes.is_empty() {
            Ok(())
        } else {
            Err("MasStack's refusal has a body".into())
        };
    }
    let body: Value = serde_json::from_slice(&reply.bytes)
        .map_err(|_| "the refusal is not a JSON error body".to_owned())?;
    let ok = match api {
        Api::Ncore => {
            let code = match status {
                401 => "UNAUTHORIZED",
                404 => "RESOURCE_NOT_EXIST",
                _ => "VALIDATION_ERROR",
            };
            body["status"] == status
                && body["code"] == code
                && body["message"].is_string()
                && detail.is_none_or(|f| body["field"] == f)
        }
        Api::Mydocs => {
            body["code"] == status
                && body["message"].is_string()
                && detail.is_none_or(|f| body["errors"][f].is_array())
        }
        Api::Passfort => {
            let e = &body["errors"][0];
            e["source"] == "API"
                && e["message"].is_string()
                && match status {
                    404 => e["code"] == 201 && detail.is_none_or(|w| e["info"]["not_found"] == w),
                    400 => e["code"] == 201 && detail.is_none_or(|f| e["info"]["field"] == f),
                    _ => e["code"] == 204,
                }
        }
        Api::Jumio => {
            let reason = StatusCode::from_u16(status)
                .unwrap()
                .canonical_reason()
                .unwrap();
            body["status"] == status
                && body["error"] == reason
                && body["message"].is_string()
                && body["timestamp"].is_string()
        }
        Api::Admin => {
            let code = if status == 404 {
                "not_found"
            } else {
                "unauthorized"
            };
            body["error"]["code"] == code && body["error"]["message"].is_string()
        }
        Api::Masstack => unreachable!(),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("not {}'s {status} error shape", api.name()))
    }
}

// ---------------------------------------------------------------------------------------
// The attempts

/// Builds the attempts of one attacker against one victim.
struct Table<'a> {
    attacker: &'a Principal,
    victim: &'a Principal,
    ai: usize,
    vi: usize,
    /// The attacker is the victim's twin: its subject id is the victim's, in another tenant,
    /// so the victim's subject id names the attacker's own subject.
    twin: bool,
    out: &'a mut Vec<Attempt>,
}

impl Table<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        api: Api,
        method: Method,
        template: &'static str,
        url: String,
        (cred, cred_name): (Cred, &'static str),
        body: Body,
        expect: Expect,
    ) {
        self.out.push(Attempt {
            api,
            method,
            template,
            url,
            cred,
            cred_name,
            body,
            expect,
            attacker: self.ai,
            victim: self.vi,
        });
    }

    /// Whether the victim's subject id, with the attacker's credentials, names no subject of
    /// the attacker's: then requests on the victim's own paths are tried too.
    fn cross_tenant(&self) -> bool {
        self.attacker.tenant != self.victim.tenant && !self.twin
    }

    /// The attacker's own views that name its own subject: they show its data and nothing
    /// of the victim's.
    fn own_views(&mut self) {
        let a = self.attacker;
        let s = a.subject;
        let views = [
            (
                Api::Passfort,
                P_PROFILE,
                format!("/4.0/profiles/{s}"),
                Cred::ApiKey(a.keys.api.clone()),
                "API key",
            ),
            (
                Api::Admin,
                A_ONE,
                format!("/admin/v1/subjects/{s}"),
                Cred::Bearer(a.keys.admin.to_owned()),
                "admin key",
            ),
            (
                Api::Jumio,
                J_EXECUTION,
                format!(
                    "/api/v1/accounts/{s}/workflow-executions/{}",
                    a.jumio_execution
                ),
                Cred::Bearer(a.keys.access.clone()),
                "Jumio access token",
            ),
        ];
        for (api, template, url, cred, name) in views {
            self.push(
                api,
                Method::GET,
                template,
                url,
                (cred, name),
                Body::Empty,
                Expect::OwnView,
            );
        }
    }

    /// nCore: the API key opens the whole tenant, so the victim's user is tried across
    /// tenants, and the attacker's own user with the victim's identifications and files
    /// always.
    fn ncore(&mut self) {
        let (a, v) = (self.attacker, self.victim);
        let key = || (Cred::ApiKey(a.keys.api.clone()), "API key");
        let not_found = Expect::Refused(404, None);
        let upload = || {
            Body::Form(vec![
                FormPart::Text("identification_document_type", "PASSPORT_PAGE1".into()),
                FormPart::File("file", "attack.png".into(), secret_png("attack")),
            ])
        };
        let patch = || Body::Json(json!({"number": "OVERWRITTEN", "issuance_authority": "x"}));
        let mut users = vec![a.subject];
        if self.cross_tenant() {
            users.push(v.subject);
            let url = format!("/v1/users/{}/identifications", v.subject);
            self.push(
                Api::Ncore,
                Method::GET,
                N_LIST,
                url,
                key(),
                Body::Empty,
                not_found,
            );
        }
        for user in users {
            for d in v.doc_ids() {
                let one = format!("/v1/users/{user}/identifications/{d}");
                self.push(
                    Api::Ncore,
                    Method::GET,
                    N_ONE,
                    one.clone(),
                    key(),
                    Body::Empty,
                    not_found,
                );
                self.push(
                    Api::Ncore,
                    Method::PUT,
                    N_ONE,
                    one.clone(),
                    key(),
                    patch(),
                    not_found,
                );
                self.push(
                    Api::Ncore,
                    Method::PUT,
                    N_FILES,
                    format!("{one}/files"),
                    key(),
                    upload(),
                    not_found,
                );
            }
        }
        // The victim's files through their own identification (across tenants), and through
        // the attacker's own identification (always).
        let mut paths: Vec<(Uuid, Uuid, Uuid)> = Vec::new();
        if self.cross_tenant() {
            for (d, _, f, _) in v.attached() {
                paths.push((v.subject, d, f));
            }
        }
        for f in &v.files {
            paths.push((a.subject, a.ncore_identification, *f));
        }
        for (user, d, f) in paths {
            let file = format!("/v1/users/{user}/identifications/{d}/files/{f}");
            self.push(
                Api::Ncore,
                Method::GET,
                N_FILE,
                file.clone(),
                key(),
                Body::Empty,
                not_found,
            );
            self.push(
                Api::Ncore,
                Method::GET,
                N_BROWSE,
                format!("{file}:browse"),
                key(),
                Body::Empty,
                not_found,
            );
            self.push(
                Api::Ncore,
                Method::GET,
                N_DOWNLOAD,
                format!("{file}:download"),
                key(),
                Body::Empty,
                not_found,
            );
            self.push(
                Api::Ncore,
                Method::DELETE,
                N_FILE,
                file,
                key(),
                Body::Empty,
                not_found,
            );
        }
        // The attacker's own list holds nothing of the victim's.
        let own = format!("/v1/users/{}/identifications?limit=100", a.subject);
        self.push(
            Api::Ncore,
            Method::GET,
            N_LIST,
            own,
            key(),
            Body::Empty,
            Expect::OwnView,
        );
    }

    /// mydocs: the client token stands for one subject, so every victim is tried, whatever
    /// its tenant.
    fn mydocs(&mut self) {
        let (a, v) = (self.attacker, self.victim);
        let token = || (Cred::Bearer(a.client_token.clone()), "client token");
        let not_found = Expect::Refused(404, None);
        for n in v.seqs() {
            for root in ["/api/v2/my", "/v2/my"] {
                let url = format!("{root}/documents/{n}");
                self.push(
                    Api::Mydocs,
                    Method::GET,
                    M_ONE,
                    url,
                    token(),
                    Body::Empty,
                    not_found,
                );
            }
            let url = format!("/api/v2/my/documents/{n}");
            self.push(
                Api::Mydocs,
                Method::DELETE,
                M_ONE,
                url,
                token(),
                Body::Empty,
                not_found,
            );
        }
        for link in &v.mydocs_links {
            self.push(
                Api::Mydocs,
                Method::GET,
                M_FILE,
                link.clone(),
                token(),
                Body::Empty,
                not_found,
            );
        }
        for (_, n, f, _) in v.attached() {
            let url = format!("/api/v2/my/documents/{n}/files/{f}");
            self.push(
                Api::Mydocs,
                Method::GET,
                M_FILE,
                url,
                token(),
                Body::Empty,
                not_found,
            );
        }
        for f in &v.files {
            let url = format!("/api/v2/my/documents/{}/files/{f}", a.mydocs_document);
            self.push(
                Api::Mydocs,
                Method::GET,
                M_FILE,
                url,
                token(),
                Body::Empty,
                not_found,
            );
            // Any of the victim's files as an upload path (its real upload among them), in
            // JSON and as a form's `file` text part.
            let path = format!("uploads/{f}");
            let bodies = [
                Body::Json(json!({"typeID": 2, "file": path})),
                Body::Form(vec![
                    FormPart::Text("typeID", "2".into()),
                    FormPart::Text("file", path.clone()),
                ]),
            ];
            for body in bodies {
                let url = "/api/v2/my/documents".to_owned();
                let expect = Expect::Refused(400, Some("file"));
                self.push(
                    Api::Mydocs,
                    Method::POST,
                    M_LIST,
                    url,
                    token(),
                    body,
                    expect,
                );
            }
        }
        let url = "/api/v2/my/documents?limit=100".to_owned();
        self.push(
            Api::Mydocs,
            Method::GET,
            M_LIST,
            url,
            token(),
            Body::Empty,
            Expect::OwnView,
        );
    }

    /// PassFort: the API key opens the whole tenant, so the victim's profile is tried across
    /// tenants, and the attacker's own profile with the victim's files, images and documents
    /// always.
    fn passfort(&mut self) {
        let (a, v) = (self.attacker, self.victim);
        let key = || (Cred::ApiKey(a.keys.api.clone()), "API key");
        let data = || B64.encode(secret_png("attack"));
        if self.cross_tenant() {
            let gone = Expect::Refused(404, Some("profile"));
            let p = format!("/4.0/profiles/{}", v.subject);
            let free = v.passfort_free_image;
            let rows: Vec<(Method, &'static str, String, Body)> = vec![
                (Method::GET, P_PROFILE, p.clone(), Body::Empty),
                (
                    Method::GET,
                    P_COLLECTED,
                    format!("{p}/collected_data"),
                    Body::Empty,
                ),
                (
                    Method::POST,
                    P_COLLECTED,
                    format!("{p}/collected_data"),
                    Body::Empty,
                ),
                (
                    Method::POST,
                    P_COLLECTED,
                    format!("{p}/collected_data"),
                    // A replace that lists no document would delete them all.
                    Body::Json(json!({"entity_type": "INDIVIDUAL"})),
                ),
                (
                    Method::POST,
                    P_DOCUMENTS,
                    format!("{p}/collected_data/documents"),
                    Body::Json(
                        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": free}]}),
                    ),
                ),
                (
                    Method::POST,
                    P_FILES,
                    format!("{p}/files"),
                    Body::Json(json!({"data": data()})),
                ),
                (
                    Method::GET,
                    P_IMAGES,
                    format!("{p}/document_images"),
                    Body::Empty,
                ),
                (
                    Method::POST,
                    P_IMAGES,
                    format!("{p}/document_images"),
                    Body::Empty,
                ),
                (
                    Method::POST,
                    P_IMAGES,
                    format!("{p}/document_images"),
                    Body::Json(json!({"data": data(), "image_type": "FRONT"})),
                ),
            ];
            for (method, template, url, body) in rows {
                self.push(Api::Passfort, method, template, url, key(), body, gone);
            }
            for f in &v.files {
                let file = format!("{p}/files/{f}");
                self.push(
                    Api::Passfort,
                    Method::GET,
                    P_FILE,
                    file.clone(),
                    key(),
                    Body::Empty,
                    gone,
                );
                self.push(
                    Api::Passfort,
                    Method::POST,
                    P_FILE,
                    file,
                    key(),
                    Body::Empty,
                    gone,
                );
                let image = format!("{p}/document_images/{f}");
                self.push(
                    Api::Passfort,
                    Method::GET,
                    P_IMAGE,
                    image,
                    key(),
                    Body::Empty,
                    gone,
                );
            }
            // The tenant's list holds nothing of the victim, and a search for it finds nothing.
            for (q, expect) in [
                (String::new(), Expect::OwnView),
                (format!("&q=Given{}", tag_of(v)), Expect::NoneFound),
            ] {
                let url = format!("/4.0/profiles?limit=200{q}");
                self.push(
                    Api::Passfort,
                    Method::GET,
                    P_PROFILES,
                    url,
                    key(),
                    Body::Empty,
                    expect,
                );
            }
        }
        let p = format!("/4.0/profiles/{}", a.subject);
        for f in &v.files {
            let file = format!("{p}/files/{f}");
            let gone = Expect::Refused(404, Some("file"));
            self.push(
                Api::Passfort,
                Method::GET,
                P_FILE,
                file.clone(),
                key(),
                Body::Empty,
                gone,
            );
            self.push(
                Api::Passfort,
                Method::POST,
                P_FILE,
                file,
                key(),
                Body::Empty,
                gone,
            );
            let image = format!("{p}/document_images/{f}");
            let gone = Expect::Refused(404, Some("document image"));
            self.push(
                Api::Passfort,
                Method::GET,
                P_IMAGE,
                image,
                key(),
                Body::Empty,
                gone,
            );
        }
        // The victim's files named by id as the `data` of an upload (PassFort's Base64
        // pattern allows a UUID there).
        for f in [v.passfort_free_image, *v.files.last().unwrap()] {
            for (template, url) in [
                (P_FILES, format!("{p}/files")),
                (P_IMAGES, format!("{p}/document_images")),
            ] {
                let body = Body::Json(json!({"data": f}));
                let expect = Expect::Refused(400, Some("data"));
                self.push(
                    Api::Passfort,
                    Method::POST,
                    template,
                    url,
                    key(),
                    body,
                    expect,
                );
            }
        }
        // A new document of the attacker's own profile made of the victim's images.
        for i in &v.images {
            let body = Body::Json(json!({
                "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": i}],
            }));
            // The add-document body is one document: its fields are named as its own.
            let expect = Expect::Refused(400, Some("images[0].id"));
            self.push(
                Api::Passfort,
                Method::POST,
                P_DOCUMENTS,
                format!("{p}/collected_data/documents"),
                key(),
                body,
                expect,
            );
        }
        // The attacker's collected data, replaced with the victim's documents in it.
        for d in v.doc_ids() {
            let body = Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "documents": [{"id": d, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}],
            }));
            let expect = Expect::Refused(400, Some("documents[0].id"));
            self.push(
                Api::Passfort,
                Method::POST,
                P_COLLECTED,
                format!("{p}/collected_data"),
                key(),
                body,
                expect,
            );
        }
        // The victim's free image in a new document: of the attacker's collected data (a
        // replace, which would also delete the attacker's documents it does not list), and of
        // a new profile.
        let document = json!({
            "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
            "images": [{"id": v.passfort_free_image}],
        });
        let expect = Expect::Refused(400, Some("documents[0].images[0].id"));
        let body = Body::Json(json!({"entity_type": "INDIVIDUAL", "documents": [document]}));
        let url = format!("{p}/collected_data");
        self.push(
            Api::Passfort,
            Method::POST,
            P_COLLECTED,
            url,
            key(),
            body,
            expect,
        );
        let body = Body::Json(json!({
            "role": "INDIVIDUAL_CUSTOMER",
            "collected_data": {"entity_type": "INDIVIDUAL", "documents": [document]},
        }));
        let url = "/4.0/profiles".to_owned();
        // Documents on a new profile are refused before any image is looked at.
        let expect = Expect::Refused(400, Some("collected_data.documents"));
        self.push(
            Api::Passfort,
            Method::POST,
            P_PROFILES,
            url,
            key(),
            body,
            expect,
        );
    }

    /// Jumio: the access token opens the whole tenant (accounts, retrieval and credential
    /// calls), the api.token one execution (its parts and finalize).
    fn jumio(&mut self) {
        let (a, v) = (self.attacker, self.victim);
        let access = || (Cred::Bearer(a.keys.access.clone()), "Jumio access token");
        let api_token = || (Cred::Bearer(a.jumio_token.clone()), "Jumio api.token");
        let not_found = Expect::Refused(404, None);
        let file = || {
            Body::Form(vec![FormPart::File(
                "file",
                "attack.png".into(),
                secret_png("attack"),
            )])
        };
        let prefill = || {
            Body::Json(
                json!({"firstName": "Mallory", "id": {"idNumber": "OVERWRITTEN", "type": "ID_CARD"}}),
            )
        };
        let mut accounts = vec![a.subject];
        if self.cross_tenant() {
            accounts.push(v.subject);
            let account = format!("/api/v1/accounts/{}", v.subject);
            let body = Body::Json(
                json!({"customerInternalReference": "ATTACK", "workflowDefinition": {"key": 2}}),
            );
            self.push(
                Api::Jumio,
                Method::PUT,
                J_ACCOUNT,
                account.clone(),
                access(),
                body,
                not_found,
            );
            self.push(
                Api::Jumio,
                Method::DELETE,
                J_ACCOUNT,
                account,
                access(),
                Body::Empty,
                not_found,
            );
        }
        // Retrieval and deletion, with the access token: the victim's executions and
        // documents under the victim's account (across tenants) and the attacker's own.
        for account in &accounts {
            for w in &v.processes {
                let execution = format!("/api/v1/accounts/{account}/workflow-executions/{w}");
                self.push(
                    Api::Jumio,
                    Method::GET,
                    J_STATUS,
                    format!("{execution}/status"),
                    access(),
                    Body::Empty,
                    not_found,
                );
                self.push(
                    Api::Jumio,
                    Method::GET,
                    J_EXECUTION,
                    execution.clone(),
                    access(),
                    Body::Empty,
                    not_found,
                );
                self.push(
                    Api::Jumio,
                    Method::DELETE,
                    J_EXECUTION,
                    execution,
                    access(),
                    Body::Empty,
                    not_found,
                );
            }
            for (d, _, _, c) in v.attached() {
                let c = c.unwrap_or_else(|| "FRONT".into());
                let url = format!("/api/v1/accounts/{account}/credentials/{d}/parts/{c}");
                self.push(
                    Api::Jumio,
                    Method::GET,
                    J_IMAGE,
                    url,
                    access(),
                    Body::Empty,
                    not_found,
                );
            }
        }
        // Acquisition with the attacker's api.token: the victim's own part URLs, its
        // execution, and the attacker's execution with the victim's documents as credentials.
        let victim_execution = format!(
            "/api/v1/accounts/{}/workflow-executions/{}",
            v.subject, v.jumio_execution
        );
        for url in &v.jumio_parts {
            self.push(
                Api::Jumio,
                Method::POST,
                J_PART,
                url.clone(),
                api_token(),
                file(),
                not_found,
            );
            self.push(
                Api::Jumio,
                Method::PUT,
                J_PART,
                url.clone(),
                api_token(),
                file(),
                not_found,
            );
            self.push(
                Api::Jumio,
                Method::DELETE,
                J_PART,
                url.clone(),
                api_token(),
                Body::Empty,
                not_found,
            );
            // An access token opens the credential calls of its own tenant's executions (an
            // idbridge leniency, like its retrieval calls): another tenant's is not found.
            if self.cross_tenant() {
                self.push(
                    Api::Jumio,
                    Method::POST,
                    J_PART,
                    url.clone(),
                    access(),
                    file(),
                    not_found,
                );
            }
        }
        self.push(
            Api::Jumio,
            Method::PUT,
            J_EXECUTION,
            victim_execution.clone(),
            api_token(),
            Body::Empty,
            not_found,
        );
        // Retrieval takes the access token, never an api.token.
        self.push(
            Api::Jumio,
            Method::GET,
            J_STATUS,
            format!("{victim_execution}/status"),
            api_token(),
            Body::Empty,
            Expect::Refused(401, None),
        );
        // Every acquisition call on the victim's credential in its execution, and on each of
        // the victim's documents as a credential of the attacker's own execution.
        let own = format!(
            "/api/v1/accounts/{}/workflow-executions/{}",
            a.subject, a.jumio_execution
        );
        let mut credentials = vec![format!(
            "{victim_execution}/credentials/{}",
            v.jumio_credential
        )];
        credentials.extend(v.doc_ids().iter().map(|d| format!("{own}/credentials/{d}")));
        let data = || {
            Body::Json(
                json!({"firstName": "Mallory", "lastName": "X", "dateOfBirth": "1990-01-01"}),
            )
        };
        for credential in credentials {
            let rows = [
                (Method::POST, J_PART, "/parts/FRONT", file()),
                (Method::PUT, J_PART, "/parts/FRONT", file()),
                (Method::DELETE, J_PART, "/parts/FRONT", Body::Empty),
                (Method::POST, J_PART, "/parts/DOCUMENT", file()),
                (Method::POST, J_PREPARED, "/parts/PREPARED_DATA", data()),
                (Method::PUT, J_PREPARED, "/parts/PREPARED_DATA", data()),
                (
                    Method::DELETE,
                    J_PREPARED,
                    "/parts/PREPARED_DATA",
                    Body::Empty,
                ),
                (Method::DELETE, J_ALL_PARTS, "/parts", Body::Empty),
                (Method::POST, J_PREFILL, "/prefill", prefill()),
            ];
            for (method, template, suffix, body) in rows {
                let url = format!("{credential}{suffix}");
                self.push(
                    Api::Jumio,
                    method,
                    template,
                    url,
                    api_token(),
                    body,
                    not_found,
                );
            }
        }
    }

    /// MasStack: a key opens its tenant's organisations, so only the other tenant's ids are
    /// tried (and, within the tenant, processes of other APIs, which are no identifications).
    fn masstack(&mut self) {
        let (a, v) = (self.attacker, self.victim);
        let key = || (Cred::Bearer(a.keys.masstack.clone()), "MasStack key");
        let not_found = Expect::Refused(404, None);
        let mut orgs = vec![a.keys.org.clone()];
        let processes: Vec<Uuid> = if self.cross_tenant() {
            orgs.push(v.keys.org.clone());
            let collection = format!("/v1/orgs/{}/identifications/identity_document", v.keys.org);
            let body = Body::Json(
                json!({"identity_document": {"document_number": "X1234567", "document_type": "PASSPORT"}}),
            );
            self.push(
                Api::Masstack,
                Method::GET,
                S_COLLECTION,
                collection.clone(),
                key(),
                Body::Empty,
                not_found,
            );
            self.push(
                Api::Masstack,
                Method::POST,
                S_COLLECTION,
                collection,
                key(),
                body,
                not_found,
            );
            let own = format!(
                "/v1/orgs/{}/identifications/identity_document?limit=100",
                a.keys.org
            );
            self.push(
                Api::Masstack,
                Method::GET,
                S_COLLECTION,
                own,
                key(),
                Body::Empty,
                Expect::OwnView,
            );
            v.processes.clone()
        } else {
            v.processes
                .iter()
                .copied()
                .filter(|p| *p != v.masstack_identification)
                .collect()
        };
        for org in &orgs {
            for p in &processes {
                let one = format!("/v1/orgs/{org}/identifications/identity_document/{p}");
                self.push(
                    Api::Masstack,
                    Method::GET,
                    S_ONE,
                    one.clone(),
                    key(),
                    Body::Empty,
                    not_found,
                );
                self.push(
                    Api::Masstack,
                    Method::POST,
                    S_CLOSE,
                    format!("{one}/close"),
                    key(),
                    Body::Empty,
                    not_found,
                );
            }
        }
    }

    /// Admin: a key administers its tenant, so only the other tenant's subject is tried.
    fn admin(&mut self) {
        let (a, v) = (self.attacker, self.victim);
        if !self.cross_tenant() {
            return;
        }
        let key = || (Cred::Bearer(a.keys.admin.to_owned()), "admin key");
        let not_found = Expect::Refused(404, None);
        let one = format!("/admin/v1/subjects/{}", v.subject);
        self.push(
            Api::Admin,
            Method::GET,
            A_ONE,
            one.clone(),
            key(),
            Body::Empty,
            not_found,
        );
        self.push(
            Api::Admin,
            Method::DELETE,
            A_ONE,
            one.clone(),
            key(),
            Body::Empty,
            not_found,
        );
        let alias = Body::Json(json!({"namespace": "ncore", "external_id": "stolen"}));
        self.push(
            Api::Admin,
            Method::POST,
            A_ALIASES,
            format!("{one}/aliases"),
            key(),
            alias,
            not_found,
        );
        self.push(
            Api::Admin,
            Method::POST,
            A_TOKENS,
            format!("{one}/client-tokens"),
            key(),
            Body::Json(json!({})),
            not_found,
        );
        let list = "/admin/v1/subjects?limit=100".to_owned();
        self.push(
            Api::Admin,
            Method::GET,
            A_LIST,
            list,
            key(),
            Body::Empty,
            Expect::OwnView,
        );
    }
}

/// `ALPHAS1` for alpha/s1: the tag in the principal's names and numbers.
fn tag_of(p: &Principal) -> String {
    p.name.replace("/s", "S").to_uppercase()
}

/// Every attempt of principal `ai` against principal `vi` (indices as [`World::who`] takes).
fn attempts_of(w: &World, ai: usize, vi: usize, twin: bool, out: &mut Vec<Attempt>) {
    let mut t = Table {
        attacker: w.who(ai),
        victim: w.who(vi),
        ai,
        vi,
        twin,
        out,
    };
    t.ncore();
    t.mydocs();
    t.passfort();
    t.jumio();
    t.masstack();
    t.admin();
    t.own_views();
}

/// Runs attempts; the failures, named.
async fn run(w: &World, table: &[Attempt]) -> (Vec<String>, BTreeMap<Api, BTreeMap<u16, usize>>) {
    let mut failures = Vec::new();
    let mut tally: BTreeMap<Api, BTreeMap<u16, usize>> = BTreeMap::new();
    for a in table {
        let reply = w
            .send(a.method.clone(), &a.url, &a.cred, &a.body, &[])
            .await;
        *tally
            .entry(a.api)
            .or_default()
            .entry(reply.status.as_u16())
            .or_default() += 1;
        if let Some(problem) = w.judge(a, &reply) {
            failures.push(format!("{}: {problem}", w.describe(a)));
        }
    }
    (failures, tally)
}

/// Attempts per API and the statuses they got (nothing secret).
fn summary(attempts: usize, tally: &BTreeMap<Api, BTreeMap<u16, usize>>) -> String {
    let mut out = format!("{attempts} attempts:");
    for (api, statuses) in tally {
        let n: usize = statuses.values().sum();
        let _ = write!(out, "\n  {:8} {n:5}:", api.name());
        for (status, count) in statuses {
            let _ = write!(out, " {status}×{count}");
        }
    }
    out
}

fn assert_no_failures(failures: &[String], attempts: usize) {
    assert!(
        failures.is_empty(),
        "{} of {attempts} attempts were not refused cleanly:\n{}",
        failures.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The tests

#[tokio::test]
async fn every_id_of_another_tenant_or_subject_is_refused_through_every_api() {
    let w = World::build().await;
    let before = w.snapshot().await;
    let totals = w.totals().await;

    let mut table = Vec::new();
    for ai in 0..w.principals.len() {
        for vi in (0..w.principals.len()).filter(|vi| *vi != ai) {
            attempts_of(&w, ai, vi, false, &mut table);
        }
    }
    let (failures, tally) = run(&w, &table).await;

    println!("{}", summary(table.len(), &tally));
    for api in Api::ALL {
        assert!(
            tally.contains_key(&api),
            "no attempt through {}",
            api.name()
        );
    }
    assert_no_failures(&failures, table.len());

    // Nothing of anyone changed: not what the store holds, not what the owners read back.
    let after = w.snapshot().await;
    let changes = w.changes(&before, &after);
    assert!(changes.is_empty(), "{}", changes.join("\n"));
    assert_eq!(
        w.totals().await,
        totals,
        "subjects per tenant, or files in the store, changed"
    );
}

/// Some writes that name another tenant's ids are not refused, by design: they create in
/// the writer's own tenant. A MasStack identification declaring another tenant's document
/// number gets an actor of its own tenant, with nothing on file. An nCore user id that is
/// another tenant's subject becomes a new subject of the writer's tenant with that same id
/// (answering 404 would tell that the id exists elsewhere), even with the victim's exact
/// request and idempotency key (keys are per tenant: no replay of the victim's answer).
///
/// That twin, a subject with the victim's id in another tenant, then gets a B2Core client
/// token and a Jumio execution, and tries every request the first test tries, with the
/// victim's subject id now naming its own subject: all of them are refused as before. Last,
/// the twin is deleted (through the admin API in one direction, Jumio's account deletion in
/// the other), and the victims are exactly as they were.
#[tokio::test]
async fn a_subject_with_another_tenants_subject_id_is_a_stranger_to_it() {
    let mut w = World::build().await;
    let before = w.snapshot().await;
    let none = BTreeSet::new();
    for (ai, vi) in [(0usize, 2usize), (2, 0)] {
        let (a, v) = (&w.principals[ai], &w.principals[vi]);
        let who = format!("{} writing with {}'s ids", a.name, v.name);
        let tag = tag_of(v);
        let api = Cred::ApiKey(a.keys.api.clone());
        let number = format!("NC{tag}P4417");
        // MasStack first (the nCore write below puts the number on file in the writer's
        // tenant): the victim's passport number, declared in the writer's organisation.
        let ms_body = json!({
            "identity_document": {"document_number": number, "document_type": "PASSPORT"},
            "configuration_name": "MEDIUM",
        });
        let reply = w
            .send(
                Method::POST,
                &format!("/v1/orgs/{}/identifications/identity_document", a.keys.org),
                &Cred::Bearer(a.keys.masstack.clone()),
                &Body::Json(ms_body.clone()),
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{who}: MasStack create");
        let ms = reply.json();
        w.contracts[&Api::Masstack].check("POST", S_COLLECTION, 200, &ms);
        assert_eq!(
            reply.carries(&ms_body.to_string(), &v.secrets),
            none,
            "{who}: MasStack create"
        );
        assert_ne!(ms["actor"]["subject_id"], v.subject.to_string(), "{who}");
        let on_file = ms["scoring"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "DOCUMENT_ON_FILE")
            .unwrap();
        assert_eq!(
            on_file["outcome"], "FAILED",
            "{who}: MasStack found the other tenant's document on file"
        );

        // nCore: the victim's exact request, its idempotency key included.
        let body = json!({
            "type": "PASSPORT", "number": number, "issuance_authority": format!("Authority{tag}"),
        });
        let idem = format!("idem-{}", v.name.replace('/', "-"));
        let path = format!("/v1/users/{}/identifications", v.subject);
        let reply = w
            .send(
                Method::POST,
                &path,
                &api,
                &Body::Json(body.clone()),
                &[("x-nymos-idempotency-key", &idem)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{who}: nCore create");
        let created = reply.json();
        w.contracts[&Api::Ncore].check("POST", N_LIST, 200, &created);
        assert_ne!(
            created["id"],
            v.ncore_identification.to_string(),
            "{who}: nCore replayed the victim's answer"
        );
        let request = format!("{path}\n{body}\n{idem}");
        assert_eq!(
            reply.carries(&request, &v.secrets),
            none,
            "{who}: nCore create"
        );
        let twin = w.twin(ai, vi, &created).await;
        w.twins.push(twin);
    }

    // Each twin tries everything against the subject whose id it has.
    let mut table = Vec::new();
    let first = w.principals.len();
    for (t, vi) in [(first, 2usize), (first + 1, 0)] {
        attempts_of(&w, t, vi, true, &mut table);
    }
    let (failures, tally) = run(&w, &table).await;
    println!("twins: {}", summary(table.len(), &tally));
    assert_no_failures(&failures, table.len());

    // The twins go; the victims stay.
    let (alpha_twin, beta_twin) = (&w.twins[0], &w.twins[1]);
    let reply = w
        .send(
            Method::DELETE,
            &format!("/admin/v1/subjects/{}", alpha_twin.subject),
            &Cred::Bearer(ADMIN_A.into()),
            &Body::Empty,
            &[],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::NO_CONTENT,
        "alpha deleting its twin"
    );
    let reply = w
        .send(
            Method::DELETE,
            &format!("/api/v1/accounts/{}", beta_twin.subject),
            &Cred::Bearer(beta_twin.keys.access.clone()),
            &Body::Empty,
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "beta deleting its twin");
    for (twin, admin) in [(alpha_twin, ADMIN_A), (beta_twin, ADMIN_B)] {
        let reply = w
            .send(
                Method::GET,
                &format!("/admin/v1/subjects/{}", twin.subject),
                &Cred::Bearer(admin.into()),
                &Body::Empty,
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{} is gone", twin.name);
    }
    let after = w.snapshot().await;
    let changes = w.changes(&before, &after);
    assert!(changes.is_empty(), "{}", changes.join("\n"));
}

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
use uuid::Uuid;

use crate::common::fixtures::{secret_png, sha_hex};
use crate::common::{ADMIN_A, ADMIN_B, Contract, TestServer, png_header, tenant};

mod attempts;
mod world;

use attempts::*;

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

//! The attempts: every request one principal can make with another's ids, generated from
//! the ids the world collected, and how they are run and summed up.

use super::*;

// ---------------------------------------------------------------------------------------
// The attempts

/// Builds the attempts of one attacker against one victim.
pub(super) struct Table<'a> {
    pub(super) attacker: &'a Principal,
    pub(super) victim: &'a Principal,
    pub(super) ai: usize,
    pub(super) vi: usize,
    /// The attacker is the victim's twin: its subject id is the victim's, in another tenant,
    /// so the victim's subject id names the attacker's own subject.
    pub(super) twin: bool,
    pub(super) out: &'a mut Vec<Attempt>,
}

impl Table<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push(
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
    pub(super) fn cross_tenant(&self) -> bool {
        self.attacker.tenant != self.victim.tenant && !self.twin
    }

    /// The attacker's own views that name its own subject: they show its data and nothing
    /// of the victim's.
    pub(super) fn own_views(&mut self) {
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
    pub(super) fn ncore(&mut self) {
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
    pub(super) fn mydocs(&mut self) {
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
    pub(super) fn passfort(&mut self) {
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
    pub(super) fn jumio(&mut self) {
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
    pub(super) fn masstack(&mut self) {
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
    pub(super) fn admin(&mut self) {
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
pub(super) fn tag_of(p: &Principal) -> String {
    p.name.replace("/s", "S").to_uppercase()
}

/// Every attempt of principal `ai` against principal `vi` (indices as [`World::who`] takes).
pub(super) fn attempts_of(w: &World, ai: usize, vi: usize, twin: bool, out: &mut Vec<Attempt>) {
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
pub(super) async fn run(
    w: &World,
    table: &[Attempt],
) -> (Vec<String>, BTreeMap<Api, BTreeMap<u16, usize>>) {
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
pub(super) fn summary(attempts: usize, tally: &BTreeMap<Api, BTreeMap<u16, usize>>) -> String {
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

pub(super) fn assert_no_failures(failures: &[String], attempts: usize) {
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

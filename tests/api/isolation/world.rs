//! The world the isolation tests attack: four principals (two tenants, two subjects each),
//! everything each one owns through every API, snapshots of the store and the refusal
//! shapes each API must answer with.

use super::*;

impl World {
    pub(super) async fn build() -> World {
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

    pub(super) fn url(&self, url: &str) -> String {
        if url.starts_with("http") {
            url.to_owned()
        } else {
            self.server.url(url)
        }
    }

    pub(super) async fn send(
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
    pub(super) async fn ok(
        &self,
        method: Method,
        url: &str,
        cred: &Cred,
        body: Body,
        status: u16,
    ) -> Value {
        self.ok_with(method, url, cred, body, status, &[]).await
    }

    pub(super) async fn ok_with(
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

    pub(super) async fn keys(&self, id: &str, admin: &'static str) -> Keys {
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
    pub(super) async fn principal(&self, t: &'static str, n: u8, keys: &Keys) -> Principal {
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
    pub(super) async fn twin(&self, ai: usize, vi: usize, created: &Value) -> Principal {
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
    pub(super) fn who(&self, i: usize) -> &Principal {
        self.principals
            .get(i)
            .unwrap_or_else(|| &self.twins[i - self.principals.len()])
    }

    pub(super) fn describe(&self, a: &Attempt) -> String {
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
    pub(super) fn judge(&self, a: &Attempt, reply: &Reply) -> Option<String> {
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

    pub(super) async fn stored(&self, p: &Principal) -> Stored {
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
    pub(super) async fn owner_view(
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

    pub(super) async fn snapshot(&self) -> Vec<Snapshot> {
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
    pub(super) async fn totals(&self) -> (u64, u64, u64) {
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
    pub(super) fn changes(&self, before: &[Snapshot], after: &[Snapshot]) -> Vec<String> {
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
pub(super) struct Stored {
    pub(super) documents: Vec<Document>,
    pub(super) files: Vec<StoredFile>,
    pub(super) processes: Vec<Process>,
    pub(super) passfort: Option<Value>,
}

pub(super) struct Snapshot {
    pub(super) stored: Stored,
    pub(super) views: BTreeMap<&'static str, Value>,
    pub(super) contents: BTreeSet<String>,
}

/// Jumio's classifier for a canonical side.
pub(super) fn classifier(side: &str) -> Option<String> {
    match side {
        "front" => Some("FRONT".into()),
        "back" => Some("BACK".into()),
        "face" => Some("FACE".into()),
        other => other.strip_prefix("page").map(|n| format!("PAGE_{n}")),
    }
}

/// Whether `reply` is `api`'s own refusal with `status`.
pub(super) fn refusal_shape(
    api: Api,
    status: u16,
    detail: Option<&str>,
    reply: &Reply,
) -> Result<(), String> {
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

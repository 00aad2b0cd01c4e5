//! The JWTs a workflow execution hands out besides its `api.token`: `sdk.token` (Jumio: "JWT
//! token for performing any action", a bearer on the execution's credential calls) and the
//! web client's `authorizationToken` (it opens the capture page, never an API call).
//!
//! RS256, signed with a key kept in the store (purpose `jumio_tokens`, made by the first node
//! that needs it, its private half sealed by the master key), so every node over one store
//! signs and checks the same tokens and a restart loses none. Each token names one execution
//! of one account of one tenant (`tid`, `sub`, `wid`), its audience (`jumio-sdk` or
//! `jumio-web`) and expires with the execution's token lifetime.

use crate::auth::keys::StoreKey;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// Purpose of the key these tokens are signed with.
const SIGNING_KEY: &str = "jumio_tokens";

/// What a token opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// `sdk.token`: the execution's credential calls.
    Sdk,
    /// The web client's `authorizationToken`: the capture page.
    Web,
}

impl Audience {
    fn aud(self) -> &'static str {
        match self {
            Audience::Sdk => "jumio-sdk",
            Audience::Web => "jumio-web",
        }
    }
}

/// The claims of an execution's token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    iss: String,
    aud: String,
    /// The account.
    pub sub: Uuid,
    iat: i64,
    /// When it stops working (the execution's token lifetime), seconds since the epoch.
    pub exp: i64,
    jti: Uuid,
    /// The tenant.
    pub tid: String,
    /// The workflow execution.
    pub wid: Uuid,
}

impl Claims {
    /// The tenant, as the store names it.
    pub fn tenant(&self) -> Result<TenantId, Error> {
        TenantId::new(&self.tid).map_err(|_| Error::Unauthorized)
    }
}

/// Mints and reads an execution's JWTs.
pub struct Tokens {
    issuer: String,
    key: StoreKey,
}

impl Tokens {
    /// Tokens issued by `issuer` (the Jumio base URL handed out).
    pub fn new(issuer: String) -> Tokens {
        Tokens {
            issuer,
            key: StoreKey::new(SIGNING_KEY),
        }
    }

    /// A token for one execution, valid until `expires_at`.
    pub async fn mint(
        &self,
        state: &AppState,
        audience: Audience,
        tenant: &TenantId,
        (account, execution): (Uuid, Uuid),
        expires_at: DateTime<Utc>,
    ) -> Result<String, Error> {
        let signer = self.key.get(&state.store).await?;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: audience.aud().to_owned(),
            sub: account,
            iat: Utc::now().timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::new_v4(),
            tid: tenant.as_str().to_owned(),
            wid: execution,
        };
        signer.sign(&claims)
    }

    /// The claims of a token of this audience that idbridge signed, or `None` for anything
    /// else. With `expired_too`, a token past its `exp` is read as well: the web page names
    /// the error of an execution whose token ran out (its execution's status decides then).
    pub async fn read(
        &self,
        state: &AppState,
        audience: Audience,
        token: &str,
        expired_too: bool,
    ) -> Result<Option<Claims>, Error> {
        // Only a JWT's shape is worth a signature check.
        if token.len() > 4096 || token.split('.').count() != 3 {
            return Ok(None);
        }
        let Some(signer) = self.key.existing(&state.store).await? else {
            return Ok(None);
        };
        let mut v = Validation::new(Algorithm::RS256);
        v.set_audience(&[audience.aud()]);
        v.set_issuer(&[&self.issuer]);
        v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        v.validate_exp = !expired_too;
        // The lifetime is the execution's, to the second: no leeway.
        v.leeway = 0;
        Ok(jsonwebtoken::decode::<Claims>(token, &signer.decoding, &v)
            .ok()
            .map(|d| d.claims))
    }
}

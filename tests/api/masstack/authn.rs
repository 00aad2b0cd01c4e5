//! MasStack AuthN: service-account assertions traded for access tokens, as a MasStack client does it.

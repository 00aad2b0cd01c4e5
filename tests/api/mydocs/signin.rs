//! B2Core sign-in and the back office, as their clients use them.

//! Checks signatures the way the API gateway does.

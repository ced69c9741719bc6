//! The embedded local MPC endpoint.

//! Health reporting: `/metrics` for Prometheus and `/healthz` for probes.

pub mod metrics;

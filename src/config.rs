//! Server configuration: addresses, port ranges and paths, from flags or environment.

//! assay-node: the Assay validator and full node.

// `sc_cli::Error` and `sc_service::Error` are polkadot-sdk's (176 bytes), returned as the
// solochain template returns them; the service's component types are the template's.
#![allow(clippy::result_large_err, clippy::type_complexity)]

mod chain_spec;
mod cli;
mod command;
mod inference;
mod model_fetcher;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// One line, no backtrace: a bad chain spec or an unknown --chain id is a user error.
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}

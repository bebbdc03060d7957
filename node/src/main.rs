//! assay-node: the Assay validator and full node.

mod chain_spec;
mod cli;
mod command;
mod inference;
mod rpc;
mod service;

fn main() {
	if let Err(error) = command::run() {
		// One line, no backtrace: a bad chain spec or an unknown --chain id is a user error.
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}

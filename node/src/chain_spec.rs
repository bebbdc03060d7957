//! Chain specs: `dev` and `local` are built from the runtime's genesis presets; anything
//! else is read as a chain-spec JSON file (e.g. `chain-specs/local-raw.json`).

use assay_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use polkadot_sdk::{sc_chain_spec::ChainType, sc_service};

/// The chain spec type of Assay: no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Properties Polkadot.js Apps reads: ASY with 12 decimals.
pub fn properties() -> sc_service::Properties {
	let mut properties = sc_service::Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

fn wasm_binary() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime wasm binary is not available (built with SKIP_WASM_BUILD?)".to_string()
	})
}

/// `dev`: Alice alone validates; temporary state with `--dev`.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Assay Development")
		.with_id("assay_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name("development")
		.with_properties(properties())
		.build())
}

/// `local`: Alice, Bob, Charlie and Dave validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("Assay Local Testnet")
		.with_id("assay_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name("local_testnet")
		.with_protocol_id("assay")
		.with_properties(properties())
		.build())
}

/// Resolves `--chain <id>`: a built-in id, or a path to a chain-spec JSON file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" | "" => Box::new(development_chain_spec()?),
		"local" => Box::new(local_chain_spec()?),
		path => {
			let path = std::path::PathBuf::from(path);
			if !path.is_file() {
				return Err(format!(
					"unknown chain `{id}`: use `dev`, `local` or the path of a chain-spec JSON file"
				));
			}
			let spec = ChainSpec::from_json_file(path.clone()).map_err(|e| {
				format!("invalid chain spec {}: {}", path.display(), e.replace('\n', " "))
			})?;
			Box::new(spec)
		},
	})
}

#[cfg(test)]
mod tests {
	//! The committed `chain-specs/local-raw.json` must match what the current runtime
	//! builds, or joining validators and network tests would start a different chain.
	//! Everything is compared byte for byte except the wasm blob itself (`:code`), whose
	//! bytes depend on the directory it was built in; for it the embedded runtime version
	//! (spec name, spec version, APIs) must match.

	use super::*;
	use polkadot_sdk::{sc_executor, sc_executor_common::runtime_blob::RuntimeBlob};
	use serde_json::Value;

	const CODE_KEY: &str = "0x3a636f6465";
	/// The committed spec of the running checkout (`cargo test` sets `CARGO_MANIFEST_DIR`;
	/// checkouts at other paths share the target directory, so the path compiled in may
	/// be another checkout's).
	fn committed_path() -> std::path::PathBuf {
		let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR")
			.unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
		std::path::Path::new(&crate_dir).join("../chain-specs/local-raw.json")
	}

	/// The runtime version embedded in `code`, with its API list sorted (the order of that
	/// list differs between builds of the same source).
	fn runtime_version_of(code_hex: &str) -> sc_executor::RuntimeVersion {
		let code = hex_decode(code_hex.trim_start_matches("0x"));
		let blob = RuntimeBlob::uncompress_if_needed(&code).expect("the code is a wasm blob");
		let mut version = sc_executor::read_embedded_version(&blob)
			.expect("the version section is readable")
			.expect("the runtime embeds its version");
		let mut apis = version.apis.to_vec();
		apis.sort();
		version.apis = apis.into();
		version
	}

	fn hex_decode(s: &str) -> Vec<u8> {
		(0..s.len())
			.step_by(2)
			.map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
			.collect()
	}

	fn take_code(spec: &mut Value) -> String {
		spec["genesis"]["raw"]["top"]
			.as_object_mut()
			.and_then(|top| top.remove(CODE_KEY))
			.and_then(|code| code.as_str().map(str::to_owned))
			.expect("a raw spec holds :code")
	}

	#[test]
	fn committed_local_spec_matches_the_runtime() {
		let committed_json = std::fs::read_to_string(committed_path())
			.expect("chain-specs/local-raw.json exists (make chain-specs)");
		// It loads as a chain spec.
		let committed_spec = ChainSpec::from_json_bytes(committed_json.clone().into_bytes())
			.expect("the committed spec parses");
		assert_eq!(sc_service::ChainSpec::id(&committed_spec), "assay_local");

		let mut committed: Value = serde_json::from_str(&committed_json).unwrap();
		let mut fresh: Value = serde_json::from_str(
			&sc_service::ChainSpec::as_json(&local_chain_spec().unwrap(), true).unwrap(),
		)
		.unwrap();
		let committed_code = take_code(&mut committed);
		let fresh_code = take_code(&mut fresh);

		let (old, new) = (runtime_version_of(&committed_code), runtime_version_of(&fresh_code));
		assert_eq!(old, new, "runtime version differs: run `make chain-specs`");
		assert_eq!(
			committed, fresh,
			"chain-specs/local-raw.json is stale (genesis differs): run `make chain-specs`"
		);
		assert_eq!(committed["properties"]["tokenSymbol"], "ASY");
		assert_eq!(committed["properties"]["tokenDecimals"], 12);
	}

	#[test]
	fn unknown_chain_ids_and_bad_files_are_one_line_errors() {
		let err = load("nosuchchain").expect_err("unknown id is refused");
		assert!(err.starts_with("unknown chain `nosuchchain`"), "{err}");
		assert!(!err.contains('\n'));

		let dir = std::env::temp_dir().join(format!("assay-spec-test-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let bad = dir.join("bad.json");
		std::fs::write(&bad, "{ this is not json").unwrap();
		let err = load(bad.to_str().unwrap()).expect_err("malformed spec is refused");
		assert!(err.starts_with("invalid chain spec"), "{err}");
		assert!(!err.contains('\n'));
		std::fs::remove_dir_all(&dir).ok();
	}
}

//! Genesis presets: `development` (Alice alone validates) and `local_testnet` (Alice, Bob,
//! Charlie and Dave validate). Chain specs are built from these (`assay-node build-spec
//! --chain dev|local`, and `make chain-specs`).

use crate::{
	AccountId, BalancesConfig, ComputeMarketConfig, DeviceRegistryConfig, EnergyMarketConfig,
	ProofOfCoverageConfig, Runtime, RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig,
	BABE_GENESIS_EPOCH_CONFIG, UNIT,
};
use alloc::{vec, vec::Vec};
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
	pallet_babe::GenesisConfig as BabeGenesisConfig,
	sp_consensus_babe::AuthorityId as BabeId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_genesis_builder::{self, PresetId},
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
	sp_runtime::MultiSigner,
};
use serde_json::Value;

/// The development maker's id: devices of dev and local chains are attested by it.
pub const DEV_MAKER_ID: u32 = 0;
/// The development maker's name.
pub const DEV_MAKER_NAME: &[u8] = b"Assay Development Maker";
/// The development maker's sr25519 public key: the well-known dev seed `//DevMaker`
/// (`assay-node key inspect //DevMaker`; a runtime test checks the derivation).
pub const DEV_MAKER_PUBLIC: [u8; 32] = [
	0x5e, 0xe6, 0x67, 0x14, 0x66, 0x4c, 0xc3, 0xca, 0x23, 0x54, 0x13, 0x4d, 0x30, 0x30, 0x34, 0x72,
	0x5d, 0x81, 0x47, 0xf0, 0xdc, 0x56, 0xfb, 0x02, 0x70, 0xa6, 0x9f, 0xef, 0x28, 0xb4, 0x63, 0x2f,
];

/// Every endowed development account starts with one million ASY.
pub const ENDOWMENT: u128 = 1_000_000 * UNIT;

/// The models the chain ships (`models/models.json`, made by `models/train.py`).
const SHIPPED_MODELS_JSON: &str = include_str!("../../models/models.json");

/// The bond each development provider holds: the minimum, 100 ASY.
pub const DEV_PROVIDER_BOND: u128 = 100 * UNIT;

/// Decodes a `0x`-prefixed 32-byte hex string.
fn hex32(text: &str) -> Option<[u8; 32]> {
	let digits = text.strip_prefix("0x")?.as_bytes();
	if digits.len() != 64 {
		return None;
	}
	let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
	let mut out = [0u8; 32];
	for (i, pair) in digits.chunks(2).enumerate() {
		out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
	}
	Some(out)
}

/// The shipped models: id (`blake2_256` of the ONNX file) and registration meta. A
/// malformed `models.json` fails the build of every preset (and the runtime tests).
pub fn shipped_models(
) -> Vec<(pallet_compute_market::ModelId, pallet_compute_market::ModelMetaOf<Runtime>)> {
	let entries: Vec<Value> =
		serde_json::from_str(SHIPPED_MODELS_JSON).expect("models/models.json is a JSON list");
	entries
		.iter()
		.map(|m| {
			let text =
				|key: &str| m[key].as_str().expect("models.json: a text field").as_bytes().to_vec();
			let number = |key: &str| m[key].as_u64().expect("models.json: a number field") as u32;
			let id = hex32(m["model_id"].as_str().expect("models.json: model_id"))
				.expect("models.json: a 32-byte hex id");
			let meta = pallet_compute_market::ModelMeta {
				name: text("name").try_into().expect("models.json: name fits"),
				input_len: number("input_len"),
				output_len: number("output_len"),
				fraction_bits: number("fraction_bits") as u8,
				classifier: m["classifier"].as_bool().expect("models.json: classifier"),
				absolute_tolerance: None,
				relative_tolerance_ppm: None,
				// No address: the shipped files come with the node's checkout
				// (`scripts/inference-env.sh` puts them in the model cache).
				uri: None,
				size: number("size"),
				card: Some(
					[
						&b"models/"[..],
						m["card"]["card"].as_str().expect("models.json: card").as_bytes(),
					]
					.concat()
					.try_into()
					.expect("models.json: card path fits"),
				),
			};
			(id, meta)
		})
		.collect()
}

/// The session keys of a development validator: BABE from its sr25519 seed, GRANDPA
/// from the ed25519 key of the same seed (`//Alice`, …).
fn dev_session_keys((sr, ed): (Sr25519Keyring, Ed25519Keyring)) -> (AccountId, SessionKeys) {
	let babe: BabeId = sr.public().into();
	let grandpa: GrandpaId = ed.public().into();
	(sr.to_account_id(), SessionKeys { babe, grandpa })
}

/// A genesis with `validators` (and their session keys), `root` as sudo, and `endowed`
/// accounts funded.
///
/// The shipped models are registered by `root`; every validator names its `infr` account
/// (the account of its dev seed, as `--alice` … insert it; the same account as the
/// validator's) as its inference worker, which is a compute provider serving them; jobs
/// need at least `min_redundancy` workers.
fn testnet_genesis(
	validators: Vec<(Sr25519Keyring, Ed25519Keyring)>,
	root: AccountId,
	endowed: Vec<AccountId>,
	min_redundancy: u32,
	coverage: CoverageParams,
	energy: EnergyParams,
) -> Value {
	let models = shipped_models();
	let model_ids: Vec<_> = models.iter().map(|(id, _)| *id).collect();
	let providers: Vec<(AccountId, u128, Vec<_>)> = validators
		.iter()
		.map(|(sr, _)| (sr.to_account_id(), DEV_PROVIDER_BOND, model_ids.clone()))
		.collect();
	let workers: Vec<(AccountId, AccountId)> = validators
		.iter()
		.map(|(sr, _)| (sr.to_account_id(), sr.to_account_id()))
		.collect();
	let models: Vec<_> = models.into_iter().map(|(id, meta)| (id, meta, root.clone())).collect();
	let keys: Vec<(AccountId, AccountId, SessionKeys)> = validators
		.into_iter()
		.map(dev_session_keys)
		.map(|(account, keys)| (account.clone(), account, keys))
		.collect();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|who| (who, ENDOWMENT)).collect::<Vec<_>>(),
		},
		babe: BabeGenesisConfig { epoch_config: BABE_GENESIS_EPOCH_CONFIG },
		session: SessionConfig { keys },
		sudo: SudoConfig { key: Some(root) },
		device_registry: DeviceRegistryConfig {
			makers: vec![(
				DEV_MAKER_ID,
				DEV_MAKER_NAME.to_vec(),
				MultiSigner::from(polkadot_sdk::sp_core::sr25519::Public::from_raw(
					DEV_MAKER_PUBLIC
				)),
			)],
		},
		compute_market: ComputeMarketConfig { models, workers, providers, min_redundancy },
		proof_of_coverage: ProofOfCoverageConfig { params: Some(coverage) },
		energy_market: EnergyMarketConfig { params: Some(energy), zones: vec![dev_zone()] },
	})
}

/// Proof-of-coverage parameters of this runtime.
type CoverageParams = pallet_proof_of_coverage::CoverageParams<crate::BlockNumber, crate::Balance>;

/// DESIGN §4's parameters, for `local_testnet`: entropy every 10 blocks usable for 30, one
/// beacon per hotspot per 6 hours, 5-block witness and reveal windows, reciprocity within
/// 2 days, daily reward epochs of 10,000 ASY, verdicts kept a day.
fn design_coverage_params() -> CoverageParams {
	CoverageParams {
		entropy_period: 10,
		entropy_lifespan: 30,
		beacon_window: 3_600,
		witness_window: 5,
		reveal_window: 5,
		reciprocity_window: 28_800,
		reward_epoch: 14_400,
		coverage_emission: 10_000 * crate::UNIT,
		retention: 14_400,
	}
}

/// Short windows for `development`, so a round takes seconds and an epoch two minutes:
/// entropy every 2 blocks usable for 10, one beacon per hotspot per 10 blocks, 2-block
/// witness and 3-block reveal windows, 20-block epochs of 1,000 ASY.
fn dev_coverage_params() -> CoverageParams {
	CoverageParams {
		entropy_period: 2,
		entropy_lifespan: 10,
		beacon_window: 10,
		witness_window: 2,
		reveal_window: 3,
		reciprocity_window: 600,
		reward_epoch: 20,
		coverage_emission: 1_000 * crate::UNIT,
		retention: 600,
	}
}

/// Energy-market parameters of this runtime.
type EnergyParams = pallet_energy_market::MarketParams<crate::BlockNumber>;

/// The development zone every preset has.
pub const DEV_ZONE: pallet_energy_market::ZoneId = 1;
/// Its import price λ_imp: 0.25 ASY per kWh, in µASY per kWh.
pub const DEV_ZONE_IMPORT_PRICE: u64 = 250_000;
/// Its export price λ_exp: 0.05 ASY per kWh.
pub const DEV_ZONE_EXPORT_PRICE: u64 = 50_000;

/// Zone 1, whose grid account is //Ferdie (endowed, so it can pay out surplus exports).
fn dev_zone() -> (pallet_energy_market::ZoneId, u64, u64, AccountId) {
	(DEV_ZONE, DEV_ZONE_IMPORT_PRICE, DEV_ZONE_EXPORT_PRICE, Sr25519Keyring::Ferdie.to_account_id())
}

/// DESIGN §7's parameters, for `local_testnet`: 15-minute (150-block) slots, readings
/// within 2 slots, kept a day.
fn design_energy_params() -> EnergyParams {
	EnergyParams { slot_length: 150, reading_window: 2, reading_retention: 96 }
}

/// Short slots for `development`, so a trade settles in about two minutes: 5-block
/// (30-second) slots, readings within 2 slots, kept a day's worth of such slots.
fn dev_energy_params() -> EnergyParams {
	EnergyParams { slot_length: 5, reading_window: 2, reading_retention: 2_880 }
}

/// All well-known development accounts (Alice … Ferdie and their stashes).
fn endowed_dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice alone validates and serves inference; she is sudo; jobs may ask
/// for a single worker (n = k = 1).
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::Alice.to_account_id(),
		endowed_dev_accounts(),
		1,
		dev_coverage_params(),
		dev_energy_params(),
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate and serve inference; Alice is
/// sudo; jobs ask for at least 3 workers (the usual n = 3, k = 2).
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		Sr25519Keyring::Alice.to_account_id(),
		endowed_dev_accounts(),
		3,
		design_coverage_params(),
		design_energy_params(),
	)
}

/// The preset with the given id, as JSON bytes.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The genesis storage of preset `id`, as the node's chain-spec builder makes it: the
/// preset's patch merged into the default configuration, then built. For what runs the
/// runtime natively: the runtime's tests and the fuzz targets (`fuzz/`).
#[cfg(feature = "std")]
pub fn preset_storage(id: &PresetId) -> Result<polkadot_sdk::sp_core::storage::Storage, String> {
	let patch = get_preset(id).ok_or_else(|| format!("no preset {id:?}"))?;
	let patch: Value = serde_json::from_slice(&patch).map_err(|e| e.to_string())?;
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|e| e.to_string())?;
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).map_err(|e| e.to_string())?;
	polkadot_sdk::sp_runtime::BuildStorage::build_storage(&config)
}

/// Merges `patch` into `base` as the node's chain-spec builder does.
#[cfg(feature = "std")]
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}

//! The pallets whose weights Assay generates (`make weights`), and the helpers their
//! benchmarks need from the runtime.

use crate::{AccountId, Runtime, SessionKeys};
use polkadot_sdk::{
	frame_benchmarking::define_benchmarks,
	frame_system_benchmarking, pallet_session,
	sp_core::{ed25519, sr25519},
};

pub use crate::{ComputeMarket, DeviceRegistry, EnergyMarket, ProofOfCoverage, ValidatorSet};
pub use frame_system_benchmarking::Pallet as SystemBench;

impl frame_system_benchmarking::Config for Runtime {}

define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_validator_set, ValidatorSet]
	[pallet_device_registry, DeviceRegistry]
	[pallet_compute_market, ComputeMarket]
	[pallet_proof_of_coverage, ProofOfCoverage]
	[pallet_energy_market, EnergyMarket]
	[pallet_balances, Balances]
);

/// Funds benchmark accounts of the device registry.
pub struct DeviceRegistryBenchmarkHelper;

impl pallet_device_registry::BenchmarkHelper<AccountId> for DeviceRegistryBenchmarkHelper {
	fn fund(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = crate::Balances::mint_into(who, 1_000 * crate::UNIT);
	}
}

/// Gives benchmark accounts session keys, as `session.setKeys` would.
pub struct ValidatorSetBenchmarkHelper;

impl pallet_validator_set::BenchmarkHelper<AccountId> for ValidatorSetBenchmarkHelper {
	fn register_keys(who: &AccountId) {
		let raw: [u8; 32] = *who.as_ref();
		let keys = SessionKeys {
			babe: sr25519::Public::from_raw(raw).into(),
			grandpa: ed25519::Public::from_raw(raw).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}

/// Funds benchmark accounts of the compute market and gives its blocks BABE randomness.
pub struct ComputeMarketBenchmarkHelper;

impl pallet_compute_market::BenchmarkHelper<AccountId> for ComputeMarketBenchmarkHelper {
	fn fund(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = crate::Balances::mint_into(who, 1_000_000 * crate::UNIT);
	}

	fn set_randomness() {
		polkadot_sdk::pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some([5u8; 32]));
	}
}

/// Registers the sr25519 key `device` (in the benchmark keystore) as a device of `kind`
/// owned by `owner`, through the device registry, with a maker whose key is in the
/// benchmark keystore; funds `owner` first.
fn register_bench_device(
	device: sr25519::Public,
	owner: &AccountId,
	kind: assay_primitives::DeviceKind,
) -> AccountId {
	use pallet_device_registry::messages;
	use polkadot_sdk::{
		frame_support::traits::fungible::Mutate,
		sp_core::crypto::KeyTypeId,
		sp_io::crypto::{sr25519_generate, sr25519_sign},
		sp_runtime::{traits::IdentifyAccount, MultiSignature, MultiSigner},
	};
	const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bnch");
	const MAKER: u32 = 0xbe_0c;
	let _ = crate::Balances::mint_into(owner, 1_000_000 * crate::UNIT);
	let maker = match pallet_device_registry::Makers::<Runtime>::get(MAKER) {
		Some(info) => sr25519::Public::from_raw(info.signer.into()),
		None => {
			let key = sr25519_generate(KEY_TYPE, None);
			pallet_device_registry::Makers::<Runtime>::insert(
				MAKER,
				pallet_device_registry::MakerInfo {
					name: Default::default(),
					signer: MultiSigner::from(key).into_account(),
				},
			);
			key
		},
	};
	let sign = |key: &sr25519::Public, message: &[u8]| -> MultiSignature {
		sr25519_sign(KEY_TYPE, key, message)
			.expect("benchmark keys are in the keystore")
			.into()
	};
	let id: AccountId = MultiSigner::from(device).into_account();
	let genesis = pallet_device_registry::Pallet::<Runtime>::genesis_hash();
	crate::DeviceRegistry::register_device(
		crate::RuntimeOrigin::signed(owner.clone()),
		device.into(),
		kind,
		MAKER,
		sign(&maker, &messages::maker_attestation(&id, kind)),
		sign(&device, &messages::registration(&genesis, owner, kind)),
	)
	.expect("benchmark device registers");
	id
}

/// Registers and locates benchmark hotspots and gives blocks BABE randomness.
pub struct ProofOfCoverageBenchmarkHelper;

impl pallet_proof_of_coverage::BenchmarkHelper<AccountId> for ProofOfCoverageBenchmarkHelper {
	fn located_hotspot(device: sr25519::Public, owner: &AccountId, cell: u64) {
		let id = register_bench_device(device, owner, assay_primitives::DeviceKind::Hotspot);
		crate::DeviceRegistry::assert_location(
			crate::RuntimeOrigin::signed(owner.clone()),
			id,
			cell,
			30,
			10,
		)
		.expect("benchmark hotspot locates");
	}

	fn set_randomness() {
		polkadot_sdk::pallet_babe::AuthorVrfRandomness::<Runtime>::put(Some([5u8; 32]));
	}
}

/// Registers benchmark energy meters.
pub struct EnergyMarketBenchmarkHelper;

impl pallet_energy_market::BenchmarkHelper<AccountId> for EnergyMarketBenchmarkHelper {
	fn registered_meter(device: sr25519::Public, owner: &AccountId) {
		register_bench_device(device, owner, assay_primitives::DeviceKind::EnergyMeter);
	}
}

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

	fn make_validator(who: &AccountId) {
		polkadot_sdk::pallet_session::Validators::<Runtime>::mutate(|set| set.push(who.clone()));
	}
}

/// Funds `owner` and registers the keystore key `device` as a `kind` of it, through the
/// device registry's one keystore-device path.
fn register_bench_device(
	device: sr25519::Public,
	owner: &AccountId,
	kind: assay_primitives::DeviceKind,
) -> AccountId {
	use polkadot_sdk::frame_support::traits::fungible::Mutate;
	let _ = crate::Balances::mint_into(owner, 1_000_000 * crate::UNIT);
	pallet_device_registry::keystore_devices::register::<Runtime>(device, owner, kind)
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

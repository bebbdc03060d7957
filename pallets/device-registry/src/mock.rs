//! A runtime with System, Balances (with holds) and the device registry; accounts are
//! AccountId32 so devices can be real sr25519, ed25519 and ecdsa keys.

use crate as pallet_device_registry;
use assay_primitives::{Location, OnLocationChanged};
use core::cell::RefCell;
use polkadot_sdk::{
	frame_support::{derive_impl, parameter_types, traits::ConstU32},
	frame_system::{self, EnsureRoot},
	pallet_balances,
	sp_core::{ecdsa, ed25519, sr25519, Pair},
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
	sp_runtime::{
		traits::{IdentifyAccount, IdentityLookup},
		AccountId32, BuildStorage, MultiSignature, MultiSigner,
	},
};
use std::sync::Arc;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;
pub type BlockNumber = u64;

polkadot_sdk::frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		DeviceRegistry: pallet_device_registry,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

thread_local! {
	/// Location changes the registry announced: (device, old cell, new cell).
	pub static MOVES: RefCell<Vec<(AccountId, Option<u64>, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Records location changes for the tests.
pub struct RecordMoves;
impl OnLocationChanged<AccountId, BlockNumber> for RecordMoves {
	fn on_location_changed(
		device: &AccountId,
		old: Option<Location<BlockNumber>>,
		new: &Location<BlockNumber>,
	) {
		MOVES.with(|m| m.borrow_mut().push((device.clone(), old.map(|l| l.cell), new.cell)));
	}

	/// Recorded as a move to cell 0.
	fn on_location_removed(device: &AccountId, old: &Location<BlockNumber>) {
		MOVES.with(|m| m.borrow_mut().push((device.clone(), Some(old.cell), 0)));
	}
}

parameter_types! {
	/// Feeless reports may fill three quarters of a block's normal weight.
	pub const ReportShare: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(75);
	pub const DepositBase: u64 = 100;
	pub const DepositPerByte: u64 = 1;
	pub const LocationFee: u64 = 50;
	pub const LocationCooldown: u64 = 10;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for Test {
	fn fund(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::mint_into(who, 1_000_000);
	}
}

impl pallet_device_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type DepositBase = DepositBase;
	type DepositPerByte = DepositPerByte;
	type LocationFee = LocationFee;
	type LocationCooldown = LocationCooldown;
	type MaxReportsPerBlock = ConstU32<3>;
	type ReportShare = ReportShare;
	type MaxMakerNameLen = ConstU32<32>;
	type OnLocationChanged = RecordMoves;
	type DeviceClaims = ();
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Test;
}

/// An owner account from a seed.
pub fn account(seed: &str) -> AccountId {
	sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap().public().into()
}

/// A device key of any scheme, with helpers to sign as it.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // a handful of test keys, never moved in bulk
pub enum DeviceKey {
	Sr(sr25519::Pair),
	Ed(ed25519::Pair),
	Ec(ecdsa::Pair),
}

impl DeviceKey {
	pub fn sr(seed: &str) -> Self {
		Self::Sr(sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap())
	}
	pub fn ed(seed: &str) -> Self {
		Self::Ed(ed25519::Pair::from_string(&format!("//{seed}"), None).unwrap())
	}
	pub fn ec(seed: &str) -> Self {
		Self::Ec(ecdsa::Pair::from_string(&format!("//{seed}"), None).unwrap())
	}
	pub fn signer(&self) -> MultiSigner {
		match self {
			Self::Sr(p) => p.public().into(),
			Self::Ed(p) => p.public().into(),
			Self::Ec(p) => p.public().into(),
		}
	}
	pub fn id(&self) -> AccountId {
		self.signer().into_account()
	}
	pub fn sign(&self, message: &[u8]) -> MultiSignature {
		match self {
			Self::Sr(p) => p.sign(message).into(),
			Self::Ed(p) => p.sign(message).into(),
			Self::Ec(p) => p.sign(message).into(),
		}
	}
}

/// Owners funded at genesis.
pub fn alice() -> AccountId {
	account("Alice")
}
pub fn bob() -> AccountId {
	account("Bob")
}
/// An owner with too little to pay a deposit.
pub fn pauper() -> AccountId {
	account("Pauper")
}

pub const ENDOWMENT: u64 = 10_000;

/// Block 1, Alice and Bob funded, a keystore for benchmark signatures.
pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(alice(), ENDOWMENT), (bob(), ENDOWMENT), (pauper(), 120)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt(Arc::new(MemoryKeystore::new())));
	ext.execute_with(|| {
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		System::set_block_number(1);
		MOVES.with(|m| m.borrow_mut().clear());
	});
	ext
}

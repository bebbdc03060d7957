//! A runtime with System, Balances, the real device registry and proof of coverage, so
//! hotspots are real sr25519 keys whose reports go through the registry's one signature
//! path. Randomness comes from a settable value through the real `derive_seed`.

use crate::{self as pallet_proof_of_coverage, BeaconId, CoverageParams, Region};
use assay_primitives::DeviceKind;
use h3o::{LatLng, Resolution};
use pallet_device_registry::testing::DeviceKey;
use polkadot_sdk::{
	frame_support::{
		derive_impl,
		traits::{ConstU32, ConstU64, Hooks},
		BoundedVec,
	},
	frame_system::{self, EnsureRoot, RawOrigin},
	pallet_balances,
	sp_core::{sr25519, Pair},
	sp_crypto_hashing::blake2_256,
	sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage},
};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = AccountId32;
pub type Balance = u64;
pub type BlockNumber = u64;

polkadot_sdk::frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		DeviceRegistry: pallet_device_registry,
		ProofOfCoverage: pallet_proof_of_coverage,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

polkadot_sdk::frame_support::parameter_types! {
	/// Feeless reports may fill three quarters of a block's normal weight.
	pub const ReportShare: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(75);
	/// Settable by a test (1 by default).
	pub static ExistentialDeposit: Balance = 1;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ExistentialDeposit;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_device_registry::BenchmarkHelper<AccountId> for Test {
	fn fund(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::mint_into(who, 1_000_000);
	}
}

impl pallet_device_registry::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type DepositBase = ConstU64<100>;
	type DepositPerByte = ConstU64<1>;
	type LocationFee = ConstU64<0>;
	type LocationCooldown = ConstU64<0>;
	type MaxReportsPerBlock = ConstU32<4>;
	type ReportShare = ReportShare;
	type MaxMakerNameLen = ConstU32<32>;
	type OnLocationChanged = ProofOfCoverage;
	type DeviceClaims = ();
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Test;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for Test {
	fn located_hotspot(device: sr25519::Public, owner: &AccountId, cell: u64) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::mint_into(owner, 1_000_000);
		let id = pallet_device_registry::keystore_devices::register::<Test>(
			device,
			owner,
			DeviceKind::Hotspot,
		);
		DeviceRegistry::assert_location(RuntimeOrigin::signed(owner.clone()), id, cell, 30, 10)
			.expect("locates");
	}
	fn set_randomness() {
		assay_primitives::testing::set_randomness(Some([5u8; 32]));
	}
}

impl pallet_proof_of_coverage::Config for Test {
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Devices = DeviceRegistry;
	type Reports = DeviceRegistry;
	type Seeds = assay_primitives::testing::TestSeeds;
	type Earnings = assay_primitives::testing::RecordEarnings;
	type MaxRevealsPerBlock = ConstU32<4>;
	type MaxVerifyQueue = ConstU32<8>;
	type MaxVerificationsPerBlock = ConstU32<3>;
	type MaxDensityStepsPerBlock = ConstU32<64>;
	type MaxPruneStepsPerBlock = ConstU32<16>;
	type MaxWitnessBatch = ConstU32<8>;
	type MaxWitnessesPerBeacon = ConstU32<16>;
	type MaxWitnessReportsPerWindow = ConstU32<3>;
	type MaxQueuedPerOwner = ConstU32<6>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Test;
}

/// The parameters of the tests: short windows.
pub fn test_params() -> CoverageParams<BlockNumber, Balance> {
	CoverageParams {
		entropy_period: 2,
		entropy_lifespan: 6,
		beacon_window: 20,
		witness_window: 2,
		reveal_window: 2,
		reciprocity_window: 100,
		reward_epoch: 50,
		coverage_emission: 1_000_000,
		retention: 30,
	}
}

/// The owner of every hotspot unless a test says otherwise.
pub fn alice() -> AccountId {
	sr25519::Pair::from_string("//Alice", None).unwrap().public().into()
}
/// Another owner.
pub fn bob() -> AccountId {
	sr25519::Pair::from_string("//Bob", None).unwrap().public().into()
}

/// A hotspot's key: a device key of the registry's test helpers, with the hotspot's own
/// steps.
#[derive(Clone)]
pub struct HotspotKey(pub DeviceKey);

impl core::ops::Deref for HotspotKey {
	type Target = DeviceKey;
	fn deref(&self) -> &DeviceKey {
		&self.0
	}
}

impl HotspotKey {
	pub fn new(seed: &str) -> Self {
		Self(DeviceKey::new(seed))
	}
	/// Registers it as a hotspot of `owner`.
	pub fn register(&self, owner: &AccountId) {
		self.register_as(owner, DeviceKind::Hotspot);
	}
	pub fn register_as(&self, owner: &AccountId, kind: DeviceKind) {
		self.0.register::<Test>(owner, kind);
	}
	/// Asserts its location at resolution-12 `cell` with `gain` (tenths of dBi).
	pub fn locate_cell(&self, owner: &AccountId, cell: u64, gain: i16) {
		DeviceRegistry::assert_location(
			RuntimeOrigin::signed(owner.clone()),
			self.id(),
			cell,
			gain,
			10,
		)
		.unwrap();
	}
	/// Asserts its location at (lat, lng).
	pub fn locate(&self, owner: &AccountId, lat: f64, lng: f64, gain: i16) {
		self.locate_cell(owner, res12(lat, lng), gain);
	}
	/// The nonce its next report carries.
	pub fn nonce(&self) -> u64 {
		self.0.nonce::<Test>()
	}
}

/// The resolution-12 cell of (lat, lng).
pub fn res12(lat: f64, lng: f64) -> u64 {
	u64::from(LatLng::new(lat, lng).unwrap().to_cell(Resolution::Twelve))
}

/// A registered, located hotspot of Alice.
pub fn hotspot(seed: &str, lat: f64, lng: f64, gain: i16) -> HotspotKey {
	let key = HotspotKey::new(seed);
	key.register(&alice());
	key.locate(&alice(), lat, lng, gain);
	key
}

/// A beacon's fields, chosen by its hotspot.
#[derive(Clone, Copy)]
pub struct BeaconPlan {
	pub entropy_index: u32,
	pub local_entropy: [u8; 32],
	pub tx_power_dbm: i16,
	pub region: Region,
}

impl BeaconPlan {
	/// The newest entropy, local entropy `[seed; 32]`, 27 dBm, EU868.
	pub fn new(seed: u8) -> Self {
		let entropy_index = crate::LatestEntropy::<Test>::get().expect("entropy drawn");
		Self { entropy_index, local_entropy: [seed; 32], tx_power_dbm: 27, region: Region::Eu868 }
	}
	pub fn entropy(&self) -> [u8; 32] {
		crate::Entropy::<Test>::get(self.entropy_index).expect("entropy stored").0
	}
	pub fn payload(&self) -> [u8; 32] {
		crate::checks::payload(&self.entropy(), &self.local_entropy)
	}
	pub fn frequency(&self) -> u64 {
		crate::checks::channel(&self.payload(), self.region)
	}
	pub fn commitment(&self) -> [u8; 32] {
		blake2_256(&self.local_entropy)
	}
}

/// The `submit_beacon` call of `key` with `plan` at its next nonce.
pub fn beacon_call(key: &HotspotKey, plan: &BeaconPlan) -> crate::Call<Test> {
	beacon_call_with(key, plan, plan.frequency(), key.nonce())
}

/// The `submit_beacon` call with a chosen frequency and nonce.
pub fn beacon_call_with(
	key: &HotspotKey,
	plan: &BeaconPlan,
	frequency_hz: u64,
	nonce: u64,
) -> crate::Call<Test> {
	let payload = assay_wire::coverage::beacon_payload(
		&key.id(),
		plan.entropy_index,
		&plan.commitment(),
		plan.tx_power_dbm,
		frequency_hz,
		plan.region,
	);
	let signature = key.sign_report::<Test>(nonce, &payload);
	crate::Call::submit_beacon {
		hotspot: key.id(),
		nonce,
		entropy_index: plan.entropy_index,
		commitment: plan.commitment(),
		tx_power_dbm: plan.tx_power_dbm,
		frequency_hz,
		region: plan.region,
		signature,
	}
}

/// What a witness heard.
#[derive(Clone, Copy)]
pub struct Heard {
	pub commitment: [u8; 32],
	pub rssi_dbm_x10: i16,
	pub snr_db_x10: i16,
	pub frequency_hz: u64,
	pub region: Region,
}

impl Heard {
	/// An honest report of `plan`'s beacon by `witness` at `rssi_dbm_x10`.
	pub fn honest(plan: &BeaconPlan, witness: &HotspotKey, rssi_dbm_x10: i16) -> Self {
		let id: [u8; 32] = witness.id().into();
		Self {
			commitment: crate::checks::witness_commitment(&plan.payload(), &id),
			rssi_dbm_x10,
			snr_db_x10: 55,
			frequency_hz: plan.frequency(),
			region: plan.region,
		}
	}
}

/// The `submit_witness` call of `key` for `beacon`.
pub fn witness_call(key: &HotspotKey, beacon: BeaconId, heard: &Heard) -> crate::Call<Test> {
	let payload = assay_wire::coverage::witness_payload(&assay_wire::coverage::Heard {
		witness: &key.id(),
		beacon,
		commitment: &heard.commitment,
		rssi_dbm_x10: heard.rssi_dbm_x10,
		snr_db_x10: heard.snr_db_x10,
		frequency_hz: heard.frequency_hz,
		region: heard.region,
	});
	let signature = key.sign_unique_report::<Test>(&payload);
	crate::Call::submit_witness {
		witness: key.id(),
		beacon,
		commitment: heard.commitment,
		rssi_dbm_x10: heard.rssi_dbm_x10,
		snr_db_x10: heard.snr_db_x10,
		frequency_hz: heard.frequency_hz,
		region: heard.region,
		signature,
	}
}

/// `key`'s report of `beacon` as a relay forwards it.
pub fn relayed(
	key: &HotspotKey,
	beacon: BeaconId,
	heard: &Heard,
) -> crate::RelayedWitness<AccountId> {
	let crate::Call::submit_witness {
		witness,
		beacon,
		commitment,
		rssi_dbm_x10,
		snr_db_x10,
		frequency_hz,
		region,
		signature,
	} = witness_call(key, beacon, heard)
	else {
		unreachable!()
	};
	crate::RelayedWitness {
		witness,
		beacon,
		commitment,
		rssi_dbm_x10,
		snr_db_x10,
		frequency_hz,
		region,
		signature,
	}
}

/// The account that relays batches in the tests.
pub fn relay_account() -> AccountId {
	AccountId32::new([0xee; 32])
}

/// A relay's `submit_witnesses`, signed by `relay_account()`: its post-dispatch info
/// (whether the relay pays) or its error.
pub fn relay(
	reports: Vec<crate::RelayedWitness<AccountId>>,
) -> polkadot_sdk::frame_support::dispatch::DispatchResultWithPostInfo {
	ProofOfCoverage::submit_witnesses(
		RuntimeOrigin::signed(relay_account()),
		BoundedVec::try_from(reports).expect("batch fits"),
	)
}

/// The `reveal_beacon` call of `key`.
pub fn reveal_call(
	key: &HotspotKey,
	beacon: BeaconId,
	local_entropy: [u8; 32],
) -> crate::Call<Test> {
	let nonce = key.nonce();
	let payload = assay_wire::coverage::reveal_payload(&key.id(), beacon, &local_entropy);
	let signature = key.sign_report::<Test>(nonce, &payload);
	crate::Call::reveal_beacon { hotspot: key.id(), nonce, beacon, local_entropy, signature }
}

/// Authorizes `call` as the transaction pool and a block would, then dispatches it with
/// the `Authorized` origin — the path of a general transaction.
pub fn submit(
	call: crate::Call<Test>,
) -> Result<(), polkadot_sdk::sp_runtime::transaction_validity::TransactionValidityError> {
	use polkadot_sdk::{
		frame_support::traits::{Authorize, UnfilteredDispatchable},
		sp_runtime::transaction_validity::TransactionSource,
	};
	call.authorize(TransactionSource::External)
		.expect("device reports are authorizable")?;
	call.dispatch_bypass_filter(RawOrigin::Authorized.into())
		.expect("an authorized report dispatches");
	Ok(())
}

/// Ends the current block and starts the next, running the pallet's hooks.
pub fn next_block() {
	let now = System::block_number();
	ProofOfCoverage::on_finalize(now);
	System::set_block_number(now + 1);
	ProofOfCoverage::on_initialize(now + 1);
	ProofOfCoverage::do_try_state().expect("invariants hold");
}

/// Runs blocks until block `n` has started.
pub fn run_to(n: BlockNumber) {
	while System::block_number() < n {
		next_block();
	}
}

/// Block 1 with the test parameters; then block 2 so entropy 1 is drawn.
pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(alice(), 1_000_000), (bob(), 1_000_000)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_proof_of_coverage::GenesisConfig::<Test> { params: Some(test_params()) }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
	ext.register_extension(polkadot_sdk::sp_keystore::KeystoreExt(std::sync::Arc::new(
		polkadot_sdk::sp_keystore::testing::MemoryKeystore::new(),
	)));
	ext.execute_with(|| {
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		ExistentialDeposit::set(1);
		System::set_block_number(1);
		assay_primitives::testing::reset();
		run_to(3);
	});
	ext
}

//! A runtime with System, Balances, the real device registry and the energy market, so
//! meters are real sr25519 keys whose readings go through the registry's one signature
//! path. Balances are counted in µASY (`MicroUnit` = 1).

use crate::{self as pallet_energy_market, MarketParams, Side, SlotIndex};
use assay_primitives::DeviceKind;
use pallet_device_registry::testing::DeviceKey;
use polkadot_sdk::{
	frame_support::{
		derive_impl,
		traits::{ConstU32, ConstU64, Hooks},
	},
	frame_system::{self, EnsureRoot, RawOrigin},
	pallet_balances,
	sp_core::{sr25519, Pair},
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
		EnergyMarket: pallet_energy_market,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExistentialDeposit = ConstU64<1>;
}

#[cfg(feature = "runtime-benchmarks")]
impl pallet_device_registry::BenchmarkHelper<AccountId> for Test {
	fn fund(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::mint_into(who, 1_000_000);
	}
}

polkadot_sdk::frame_support::parameter_types! {
	/// Feeless reports may fill three quarters of a block's normal weight.
	pub const ReportShare: polkadot_sdk::sp_runtime::Perbill = polkadot_sdk::sp_runtime::Perbill::from_percent(75);
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
	type OnLocationChanged = ();
	type DeviceClaims = EnergyMarket;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Test;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for Test {
	fn registered_meter(device: sr25519::Public, owner: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::mint_into(owner, 1_000_000_000_000);
		pallet_device_registry::keystore_devices::register::<Test>(
			device,
			owner,
			DeviceKind::EnergyMeter,
		);
	}
}

impl pallet_energy_market::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Devices = DeviceRegistry;
	type Reports = DeviceRegistry;
	type Earnings = assay_primitives::testing::RecordEarnings;
	type MicroUnit = ConstU64<1>;
	type MaxZones = ConstU32<4>;
	type MaxOrdersPerSide = ConstU32<12>;
	type MaxOrdersPerMeter = ConstU32<8>;
	type MinOrderWh = ConstU64<10>;
	type OrderHorizon = ConstU32<10>;
	type MaxClearingsPerBlock = ConstU32<1>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Test;
}

/// 10-block slots, readings within 2 slots, kept 8.
pub fn test_params() -> MarketParams<BlockNumber> {
	MarketParams { slot_length: 10, reading_window: 2, reading_retention: 8 }
}

/// The test zone: λ_imp 250,000 and λ_exp 50,000 µASY per kWh.
pub const ZONE: u32 = 1;
pub const IMPORT: u64 = 250_000;
pub const EXPORT: u64 = 50_000;

/// Every account starts with this much.
pub const FUNDS: Balance = 10_000_000;

pub fn account(seed: &str) -> AccountId {
	sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap().public().into()
}
pub fn alice() -> AccountId {
	account("Alice")
}
pub fn bob() -> AccountId {
	account("Bob")
}
pub fn charlie() -> AccountId {
	account("Charlie")
}
pub fn dave() -> AccountId {
	account("Dave")
}
/// The zone's grid account.
pub fn grid() -> AccountId {
	account("Grid")
}

/// A meter's key: a device key of the registry's test helpers, with the readings it signs.
#[derive(Clone)]
pub struct MeterKey(pub DeviceKey);

impl core::ops::Deref for MeterKey {
	type Target = DeviceKey;
	fn deref(&self) -> &DeviceKey {
		&self.0
	}
}

impl MeterKey {
	pub fn new(seed: &str) -> Self {
		Self(DeviceKey::new(&format!("meter/{seed}")))
	}
	/// Registers it as a device of `kind` owned by `owner`.
	pub fn register_as(&self, owner: &AccountId, kind: DeviceKind) {
		self.0.register::<Test>(owner, kind);
	}
	/// A signed reading call with the next nonce.
	pub fn reading(
		&self,
		boundary: SlotIndex,
		import_wh: u64,
		export_wh: u64,
	) -> crate::Call<Test> {
		let nonce = self.0.nonce::<Test>();
		let payload =
			assay_wire::energy::reading_payload(&self.id(), boundary, import_wh, export_wh);
		crate::Call::submit_reading {
			meter: self.id(),
			nonce,
			slot_boundary: boundary,
			import_register_wh: import_wh,
			export_register_wh: export_wh,
			signature: self.sign_report::<Test>(nonce, &payload),
		}
	}
}

/// The capacity test meters are bound with, Wh per slot.
pub const CAPACITY_WH: u64 = 400_000;

/// A registered EnergyMeter of `owner`, bound to the test zone with `CAPACITY_WH`.
pub fn meter(seed: &str, owner: &AccountId) -> MeterKey {
	meter_with_capacity(seed, owner, CAPACITY_WH)
}

/// A registered EnergyMeter of `owner`, bound to the test zone with `capacity_wh`.
pub fn meter_with_capacity(seed: &str, owner: &AccountId, capacity_wh: u64) -> MeterKey {
	let key = MeterKey::new(seed);
	key.register_as(owner, DeviceKind::EnergyMeter);
	EnergyMarket::bind_meter(RuntimeOrigin::signed(owner.clone()), key.id(), ZONE, capacity_wh)
		.unwrap();
	key
}

/// Places an order through `key` for its owner; returns the order id.
pub fn order(
	owner: &AccountId,
	key: &MeterKey,
	slot: SlotIndex,
	side: Side,
	qty_wh: u64,
	price: u64,
) -> u64 {
	let id = crate::NextOrderId::<Test>::get();
	EnergyMarket::place_order(
		RuntimeOrigin::signed(owner.clone()),
		key.id(),
		slot,
		side,
		qty_wh,
		price,
	)
	.unwrap();
	id
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
		.expect("readings are authorizable")?;
	call.dispatch_bypass_filter(RawOrigin::Authorized.into())
		.expect("an authorized reading dispatches");
	Ok(())
}

/// Ends the current block and starts the next, running the pallet's hooks.
pub fn next_block() {
	let now = System::block_number();
	System::set_block_number(now + 1);
	EnergyMarket::on_initialize(now + 1);
	EnergyMarket::do_try_state().expect("invariants hold");
}

/// Runs blocks until block `n` has started.
pub fn run_to(n: BlockNumber) {
	while System::block_number() < n {
		next_block();
	}
}

/// Runs until the first block of `slot`.
pub fn run_to_slot(slot: SlotIndex) {
	run_to(BlockNumber::from(slot) * test_params().slot_length);
}

/// The sum of every account's total balance (free + held): conserved by the market.
pub fn total_of(accounts: &[AccountId]) -> Balance {
	use polkadot_sdk::frame_support::traits::fungible::Inspect;
	accounts.iter().map(Balances::total_balance).sum()
}

/// Block 1 with the test parameters and zone.
pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [alice(), bob(), charlie(), dave(), grid()]
			.into_iter()
			.map(|a| (a, FUNDS))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_energy_market::GenesisConfig::<Test> {
		params: Some(test_params()),
		zones: vec![(ZONE, IMPORT, EXPORT, grid())],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
	ext.register_extension(polkadot_sdk::sp_keystore::KeystoreExt(std::sync::Arc::new(
		polkadot_sdk::sp_keystore::testing::MemoryKeystore::new(),
	)));
	ext.execute_with(|| {
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		System::set_block_number(1);
		assay_primitives::testing::reset();
	});
	ext
}

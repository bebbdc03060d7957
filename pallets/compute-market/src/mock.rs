//! A runtime with System, Balances (with holds) and the compute market. Randomness comes
//! from a settable per-block value through the real `derive_seed`; earnings are recorded
//! for the tests to read.

use crate::{self as pallet_compute_market, commitment::commitment, JobId, ModelId, ModelMeta};
use polkadot_sdk::{
	frame_support::{
		derive_impl, parameter_types,
		traits::{ConstU32, Hooks},
		BoundedVec,
	},
	frame_system::{self, EnsureRoot},
	pallet_balances,
	sp_runtime::{
		testing::{TestSignature, UintAuthorityId},
		BuildStorage, Perbill,
	},
};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;
pub type BlockNumber = u64;

polkadot_sdk::frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		ComputeMarket: pallet_compute_market,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const ModelDeposit: Balance = 100;
	pub const MinBond: Balance = 1_000;
	pub const MinJobFee: Balance = 10;
	pub const UnservedJobFee: Balance = 2;
	pub const ProtocolCut: Perbill = Perbill::from_percent(10);
	pub const StrikeSlash: Perbill = Perbill::from_percent(10);
	pub const NoRevealSlash: Perbill = Perbill::from_percent(20);
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for Test {
	fn fund(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::mint_into(who, 1_000_000_000);
	}
	fn set_randomness() {
		assay_primitives::testing::set_randomness(Some([5u8; 32]));
	}
	fn make_validator(who: &AccountId) {
		let mut added = AddedValidators::get();
		added.push(*who);
		AddedValidators::set(added);
	}
}

/// The mock's off-chain transactions: signed by a `UintAuthorityId` whose account is its
/// number.
pub type Extrinsic = polkadot_sdk::sp_runtime::testing::TestXt<RuntimeCall, ()>;

impl frame_system::offchain::SigningTypes for Test {
	type Public = UintAuthorityId;
	type Signature = TestSignature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<
		A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		_public: UintAuthorityId,
		account: AccountId,
		_nonce: u32,
	) -> Option<Extrinsic> {
		Some(Extrinsic::new_signed(call, account, (), ()))
	}
}

/// Signs as the mock's authority ids.
pub struct TestAuthId;
impl frame_system::offchain::AppCrypto<UintAuthorityId, TestSignature> for TestAuthId {
	type RuntimeAppPublic = UintAuthorityId;
	type GenericPublic = UintAuthorityId;
	type GenericSignature = TestSignature;
}

impl pallet_compute_market::Config for Test {
	type AuthorityId = TestAuthId;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Seeds = assay_primitives::testing::TestSeeds;
	type Earnings = assay_primitives::testing::RecordEarnings;
	type Validators = MockValidators;
	type ModelDeposit = ModelDeposit;
	type MinBond = MinBond;
	type MinJobFee = MinJobFee;
	type ProtocolCut = ProtocolCut;
	type MaxModelNameLen = ConstU32<32>;
	type MaxUriLen = ConstU32<64>;
	type MaxModelSize = ConstU32<1_000_000>;
	type MaxInputLen = ConstU32<64>;
	type MaxOutputLen = ConstU32<8>;
	type MaxRedundancy = ConstU32<5>;
	type MaxModelsPerProvider = ConstU32<4>;
	type MaxProvidersPerModel = ConstU32<8>;
	type MaxOpenJobs = ConstU32<8>;
	type MaxOpenJobsPerAccount = ConstU32<4>;
	type UnservedJobFee = UnservedJobFee;
	type MaxStepsPerBlock = ConstU32<4>;
	type CommitWindow = ConstU64<10>;
	type RevealWindow = ConstU64<10>;
	type ResultRetention = ConstU64<20>;
	type UnbondingPeriod = ConstU64<50>;
	type StrikeLimit = ConstU32<3>;
	type StrikeWindow = ConstU32<100>;
	type StrikeSlash = StrikeSlash;
	type NoRevealSlash = NoRevealSlash;
	type SuspensionPeriod = ConstU64<100>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Test;
}

use polkadot_sdk::frame_support::traits::ConstU64;

parameter_types! {
	/// Validators that left the set (the set is accounts 1000..2000 otherwise).
	pub static RetiredValidators: Vec<AccountId> = vec![];
	/// Validators added to the set (benchmarks).
	pub static AddedValidators: Vec<AccountId> = vec![];
}

/// The current validators: accounts 1000..2000 and those added, less those retired.
pub struct MockValidators;
impl polkadot_sdk::frame_support::traits::Contains<AccountId> for MockValidators {
	fn contains(who: &AccountId) -> bool {
		((1000..2000).contains(who) || AddedValidators::get().contains(who))
			&& !RetiredValidators::get().contains(who)
	}
}

/// The validator a test's worker `w` serves.
pub fn validator_of(w: AccountId) -> AccountId {
	1000 + w
}

/// Makes `w` the inference worker of its validator (`validator_of(w)`).
pub fn bind(w: AccountId) {
	polkadot_sdk::frame_support::assert_ok!(crate::Pallet::<Test>::bind_worker(
		RuntimeOrigin::signed(validator_of(w)),
		w
	));
}

/// The job owner and model registrar.
pub const ALICE: AccountId = 1;
/// Another user.
pub const BOB: AccountId = 2;
/// An account with almost nothing.
pub const PAUPER: AccountId = 3;
/// Registered providers serving `MODEL`.
pub const WORKERS: [AccountId; 3] = [10, 11, 12];
/// A funded account that is not a provider.
pub const OUTSIDER: AccountId = 20;

pub const ENDOWMENT: Balance = 100_000;
pub const BOND: Balance = 1_000;
pub const FEE: Balance = 300;

/// The registered regression model: 2 inputs, 3 outputs, F = 16.
pub const MODEL: ModelId = [1u8; 32];
/// A registered classifier: 2 inputs, 3 class scores.
pub const CLASSIFIER: ModelId = [2u8; 32];

pub fn meta(input_len: u32, output_len: u32, classifier: bool) -> crate::ModelMetaOf<Test> {
	ModelMeta {
		name: BoundedVec::truncate_from(b"test model".to_vec()),
		input_len,
		output_len,
		fraction_bits: 16,
		classifier,
		absolute_tolerance: None,
		relative_tolerance_ppm: None,
		uri: None,
		size: 1_000,
		card: None,
	}
}

/// A valid input for `MODEL` (2 elements).
pub fn input() -> BoundedVec<u8, ConstU32<64>> {
	let mut bytes = 65_536i32.to_le_bytes().to_vec();
	bytes.extend_from_slice(&(-32_768i32).to_le_bytes());
	BoundedVec::truncate_from(bytes)
}

/// An output as the chain takes it.
pub fn output(values: &[i32]) -> BoundedVec<i32, ConstU32<8>> {
	BoundedVec::truncate_from(values.to_vec())
}

/// The salt worker `who` uses.
pub fn salt(who: AccountId) -> [u8; 32] {
	[who as u8; 32]
}

/// The commitment worker `who` makes for `values` on `job`.
pub fn commit_hash(job: JobId, who: AccountId, values: &[i32]) -> [u8; 32] {
	commitment(job, &who, &salt(who), values)
}

/// Block 1; Alice, Bob, the workers and an outsider funded; `MODEL` and `CLASSIFIER`
/// registered by Alice; the three workers bound to their validators, bonded and serving
/// both.
pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances =
		vec![(ALICE, ENDOWMENT), (BOB, ENDOWMENT), (PAUPER, 50), (OUTSIDER, ENDOWMENT)];
	balances.extend(WORKERS.iter().map(|w| (*w, ENDOWMENT)));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_compute_market::GenesisConfig::<Test> {
		models: vec![(MODEL, meta(2, 3, false), ALICE), (CLASSIFIER, meta(2, 3, true), ALICE)],
		workers: WORKERS.iter().map(|w| (validator_of(*w), *w)).collect(),
		providers: WORKERS.iter().map(|w| (*w, BOND, vec![MODEL, CLASSIFIER])).collect(),
		min_redundancy: 1,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		System::set_block_number(1);
		assay_primitives::testing::reset();
	});
	ext
}

/// Runs `test` in a fresh externality and checks the pallet's invariants afterwards.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		ComputeMarket::do_try_state().expect("invariants hold");
	});
}

/// Advances to block `n`: finishes each block (`on_finalize`, where job steps happen) and
/// starts the next (`on_initialize`), checking the invariants in between.
pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		let now = System::block_number();
		ComputeMarket::on_finalize(now);
		ComputeMarket::do_try_state().expect("invariants hold after every block");
		System::set_block_number(now + 1);
		ComputeMarket::on_initialize(now + 1);
	}
}

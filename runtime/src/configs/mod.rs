//! The configuration of every pallet in the runtime.

mod fees;

use crate::*;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::{
	limits::{BlockLength, BlockWeights},
	EnsureRoot,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use polkadot_sdk::sp_runtime::{
	traits::{ConvertInto, One, OpaqueKeys},
	Perbill,
};

pub use fees::DealWithFees;

/// We allow for 2 seconds of compute with a 6 second average block time.
const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2), u64::MAX);
/// 75% of a block is for normal extrinsics; the rest for operational ones.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// Blocks are at most 5 MiB.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

parameter_types! {
	/// Runtime version, for `CheckSpecVersion` and friends.
	pub const Version: RuntimeVersion = VERSION;
	/// Block weight limits.
	pub RuntimeBlockWeights: BlockWeights =
		BlockWeights::with_sensible_defaults(MAXIMUM_BLOCK_WEIGHT, NORMAL_DISPATCH_RATIO);
	/// 5 MiB blocks, 75% for normal extrinsics.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH
		})
		.build();
	/// How many recent block hashes are kept (for mortal transactions).
	pub const BlockHashCount: BlockNumber = 2400;
	/// SS58 prefix of addresses.
	pub const SS58Prefix: u16 = SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// ParityDB is the node's default database.
	type DbWeight = ParityDbWeight;
	/// The transaction extensions' reference weights with this runtime's (ParityDB)
	/// database costs; the default `()` hard-codes RocksDB's, which overcharged every
	/// transaction (device reports most: a feeless report pays mostly overhead).
	type ExtensionsWeightInfo = frame_system::SubstrateExtensionsWeight<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Babe;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

parameter_types! {
	/// A BABE epoch (= a session), in slots.
	pub const EpochDuration: u64 = EPOCH_DURATION_IN_SLOTS;
	/// The expected block time, in milliseconds.
	pub const ExpectedBlockTime: u64 = MILLI_SECS_PER_BLOCK;
}

impl pallet_babe::Config for Runtime {
	type EpochDuration = EpochDuration;
	type ExpectedBlockTime = ExpectedBlockTime;
	// Session rotations trigger epoch changes.
	type EpochChangeTrigger = pallet_babe::ExternalTrigger;
	type DisabledValidators = Session;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<100>;
	type MaxNominators = ConstU32<0>;
	// Equivocations (two blocks for one slot) are proved against the session roots and
	// reported to pallet-offences, whose handler is the validator set.
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_babe::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<100>;
	type MaxNominators = ConstU32<0>;
	// The set id of a vote must map to a session whose root is still kept.
	type MaxSetIdSessionEntries = ConstU64<{ EQUIVOCATION_HISTORY_SESSIONS as u64 }>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem =
		pallet_grandpa::EquivocationReportSystem<Self, Offences, Historical, ReportLongevity>;
}

/// Sessions (one minute each) in which an equivocation can still be proved: one day.
pub const EQUIVOCATION_HISTORY_SESSIONS: u32 = 1_440;

parameter_types! {
	/// How long (blocks) an equivocation report stays valid in the pool: the history kept.
	pub const ReportLongevity: u64 = EQUIVOCATION_HISTORY_SESSIONS as u64 * EPOCH_DURATION_IN_SLOTS;
	/// The session roots kept for key-ownership proofs.
	pub const EquivocationHistorySessions: u32 = EQUIVOCATION_HISTORY_SESSIONS;
}

/// Session roots: a key-ownership proof shows a key belonged to a validator of a session.
impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// No stake exposure to record: the account is the identification.
	type FullIdentification = ();
	type FullIdentificationOf = pallet_validator_set::IdentifiedByAccount;
}

/// Offence reports (BABE and GRANDPA equivocations), de-duplicated, handed to the validator
/// set, which disables and removes the offender (there is no stake to slash).
impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = ValidatorSet;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Babe>;
	type EventHandler = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fee multiplier: constant 1 (no congestion pricing yet).
	pub FeeMultiplier: Multiplier = Multiplier::one();
	/// Length fee: 1 µASY per byte.
	pub const TransactionByteFee: Balance = MICRO_UNIT;
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees (80%) and tips (all) to the block author, recorded as validation earnings;
	/// the remaining 20% of fees is burned.
	type OnChargeTransaction = FungibleAdapter<Balances, DealWithFees>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = frame_support::weights::ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Babe;
	type NextSessionRotation = Babe;
	// The validator set, with the session roots noted for equivocation proofs.
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, ValidatorSet>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// An equivocating validator is disabled for the rest of the session, up to a third.
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// No deposit for session keys: only validators added by governance use them.
	type KeyDeposit = ConstU128<0>;
}

parameter_types! {
	/// The most validators the set may hold.
	pub const MaxValidators: u32 = 100;
	/// The fewest validators the set may hold.
	pub const MinValidators: u32 = 1;
}

impl pallet_validator_set::Config for Runtime {
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxValidators = MaxValidators;
	type MinValidators = MinValidators;
	type KeysRegistration = Session;
	type SessionValidators = Session;
	type HistoryDepth = EquivocationHistorySessions;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::ValidatorSetBenchmarkHelper;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_earnings::Config for Runtime {
	type Balance = Balance;
}

parameter_types! {
	/// The fixed part of a device's deposit: 0.1 ASY.
	pub const DeviceDepositBase: Balance = 100 * MILLI_UNIT;
	/// The deposit per stored byte of a device: 0.0001 ASY.
	pub const DeviceDepositPerByte: Balance = 100 * MICRO_UNIT;
	/// The fee for asserting a location (burned): 0.01 ASY.
	pub const LocationFee: Balance = 10 * MILLI_UNIT;
	/// A device may re-assert its location once per 10 minutes.
	pub const LocationCooldown: BlockNumber = 10 * MINUTES;
}

parameter_types! {
	/// The share of a block's normal weight feeless device reports may fill.
	pub const ReportShare: Perbill = Perbill::from_percent(75);
}

impl pallet_device_registry::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type DepositBase = DeviceDepositBase;
	type DepositPerByte = DeviceDepositPerByte;
	type LocationFee = LocationFee;
	type LocationCooldown = LocationCooldown;
	type MaxReportsPerBlock = ConstU32<4>;
	// Feeless device reports may fill three quarters of a block's normal weight; the last
	// quarter is always there for fee-paying transactions.
	type ReportShare = ReportShare;
	type MaxMakerNameLen = ConstU32<64>;
	type OnLocationChanged = ProofOfCoverage;
	/// An energy meter with an open position or a debt stays with its owner.
	type DeviceClaims = EnergyMarket;
	type WeightInfo = pallet_device_registry::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::DeviceRegistryBenchmarkHelper;
}

parameter_types! {
	/// The deposit for registering a model: 1 ASY.
	pub const ModelDeposit: Balance = UNIT;
	/// The least bond an eligible compute provider holds: 100 ASY.
	pub const MinProviderBond: Balance = 100 * UNIT;
	/// The least fee a job may offer: 0.01 ASY.
	pub const MinJobFee: Balance = 10 * MILLI_UNIT;
	pub const UnservedJobFee: Balance = MILLI_UNIT;
	/// 10 % of a completed job's fee is burned.
	pub const ComputeProtocolCut: Perbill = Perbill::from_percent(10);
	/// Striking out burns 10 % of the bond.
	pub const StrikeSlash: Perbill = Perbill::from_percent(10);
	/// Committing and never revealing burns 5 % of the bond.
	pub const NoRevealSlash: Perbill = Perbill::from_percent(5);
}

/// The session's active validators: the compute market's providers must be their workers.
pub struct SessionValidators;
impl polkadot_sdk::frame_support::traits::Contains<AccountId> for SessionValidators {
	fn contains(who: &AccountId) -> bool {
		pallet_session::Validators::<Runtime>::get().contains(who)
	}
}

impl pallet_compute_market::Config for Runtime {
	type AuthorityId = pallet_compute_market::crypto::InferenceAuthId;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Seeds = crate::randomness::BabeSeedSource;
	type Earnings = Earnings;
	type Validators = SessionValidators;
	type ModelDeposit = ModelDeposit;
	type MinBond = MinProviderBond;
	type MinJobFee = MinJobFee;
	type ProtocolCut = ComputeProtocolCut;
	type MaxModelNameLen = ConstU32<64>;
	type MaxUriLen = ConstU32<256>;
	/// 64 MiB: far above the shipped models (66 KB at most), small enough for a
	/// validator's fetcher to hold in memory while it checks the hash.
	type MaxModelSize = ConstU32<{ 64 * 1024 * 1024 }>;
	/// 1024 input elements.
	type MaxInputLen = ConstU32<4096>;
	type MaxOutputLen = ConstU32<256>;
	type MaxRedundancy = ConstU32<7>;
	type MaxModelsPerProvider = ConstU32<16>;
	// Every validator's worker can serve every model: one worker per validator.
	type MaxProvidersPerModel = MaxValidators;
	type MaxOpenJobs = ConstU32<256>;
	/// One account holds at most 1/16 of the open-job slots.
	type MaxOpenJobsPerAccount = ConstU32<16>;
	/// A tenth of the minimum fee is kept from a job nobody serves.
	type UnservedJobFee = UnservedJobFee;
	type MaxStepsPerBlock = ConstU32<16>;
	type CommitWindow = ConstU32<10>;
	type RevealWindow = ConstU32<10>;
	type ResultRetention = ConstU32<DAYS>;
	type UnbondingPeriod = ConstU32<DAYS>;
	type StrikeLimit = ConstU32<3>;
	type StrikeWindow = ConstU32<100>;
	type StrikeSlash = StrikeSlash;
	type NoRevealSlash = NoRevealSlash;
	type SuspensionPeriod = ConstU32<DAYS>;
	type WeightInfo = pallet_compute_market::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::ComputeMarketBenchmarkHelper;
}

impl pallet_proof_of_coverage::Config for Runtime {
	type Currency = Balances;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Devices = DeviceRegistry;
	type Reports = DeviceRegistry;
	type Seeds = crate::randomness::BabeSeedSource;
	type Earnings = Earnings;
	type MaxRevealsPerBlock = ConstU32<64>;
	type MaxVerifyQueue = ConstU32<1024>;
	type MaxVerificationsPerBlock = ConstU32<256>;
	type MaxDensityStepsPerBlock = ConstU32<64>;
	type MaxPruneStepsPerBlock = ConstU32<256>;
	type MaxWitnessBatch = ConstU32<64>;
	// A beacon keeps 32 reports (14 are rewarded); a hotspot makes 128 reports per beacon
	// window (6 hours in the design's parameters); one owner holds at most 1/8 of the
	// verification queue.
	type MaxWitnessesPerBeacon = ConstU32<32>;
	type MaxWitnessReportsPerWindow = ConstU32<128>;
	type MaxQueuedPerOwner = ConstU32<128>;
	type WeightInfo = pallet_proof_of_coverage::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::ProofOfCoverageBenchmarkHelper;
}

impl pallet_energy_market::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Devices = DeviceRegistry;
	type Reports = DeviceRegistry;
	type Earnings = Earnings;
	/// Prices are µASY per kWh.
	type MicroUnit = ConstU128<{ crate::MICRO_UNIT }>;
	type MaxZones = ConstU32<8>;
	type MaxOrdersPerSide = ConstU32<512>;
	type MaxClearingsPerBlock = ConstU32<2>;
	/// A household places a few orders per side and slot; 128 meters are needed to fill a
	/// book.
	type MaxOrdersPerMeter = ConstU32<4>;
	/// 50 Wh (the device agent's households order no less).
	type MinOrderWh = ConstU64<50>;
	/// A day of 15-minute slots.
	type OrderHorizon = ConstU32<96>;
	type WeightInfo = pallet_energy_market::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::EnergyMarketBenchmarkHelper;
}

// ---- transactions from off-chain workers (the compute market's commits and reveals) ----

impl frame_system::offchain::SigningTypes for Runtime {
	type Public = <Signature as polkadot_sdk::sp_runtime::traits::Verify>::Signer;
	type Signature = Signature;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = UncheckedExtrinsic;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = TxExtension;

	fn create_transaction(call: RuntimeCall, extension: TxExtension) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

impl<C> frame_system::offchain::CreateSignedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	/// A signed transaction with the same extensions wallets use: mortal for half the
	/// block-hash window, the account's nonce, no tip.
	fn create_signed_transaction<
		A: frame_system::offchain::AppCrypto<Self::Public, Self::Signature>,
	>(
		call: RuntimeCall,
		public: <Signature as polkadot_sdk::sp_runtime::traits::Verify>::Signer,
		account: AccountId,
		nonce: Nonce,
	) -> Option<UncheckedExtrinsic> {
		use codec::Encode;
		use polkadot_sdk::sp_runtime::{generic::Era, traits::StaticLookup, SaturatedConversion};
		let period =
			BlockHashCount::get().checked_next_power_of_two().map(|c| c / 2).unwrap_or(2) as u64;
		let current_block = System::block_number().saturated_into::<u64>().saturating_sub(1);
		let extension = crate::tx_extension(Era::mortal(period, current_block), nonce, 0);
		let payload = SignedPayload::new(call, extension)
			.map_err(
				|e| log::warn!(target: "runtime::offchain", "cannot build a signed payload: {e:?}"),
			)
			.ok()?;
		let signature = payload.using_encoded(|bytes| A::sign(bytes, public))?;
		let (call, extension, _) = payload.deconstruct();
		let address = <Runtime as frame_system::Config>::Lookup::unlookup(account);
		Some(UncheckedExtrinsic::new_signed(call, address, signature, extension))
	}
}

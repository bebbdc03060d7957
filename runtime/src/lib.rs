//! # assay-runtime
//!
//! The Assay runtime: BABE block production and GRANDPA finality over a governance-managed
//! validator set (pallet-session + pallet-validator-set), ASY balances, fees that pay the
//! block author through the earnings ledger (pallet-earnings), and Assay's four protocol
//! pallets: device identity and the one device-signed report mechanism
//! (pallet-device-registry), the compute market with validators' inference
//! (pallet-compute-market), proof of coverage (pallet-proof-of-coverage) and the energy
//! market (pallet-energy-market). Device reports are feeless general transactions whose
//! envelope and signed bytes are `assay-wire`'s.
//!
//! - `configs/`: one place per pallet's configuration, and the fee handler.
//! - `apis.rs`: the runtime APIs the node, Polkadot.js and clients call.
//! - `genesis_config_presets.rs`: the presets `development` and `local_testnet` chain specs
//!   are built from.
//! - `randomness.rs`: the chain randomness helper (BABE VRF output → per-use seeds).
//! - `benchmarks.rs`: the benchmark list and the helpers that wire pallets' benchmarks to
//!   the real device registry (feature `runtime-benchmarks`).
//! - `examples/wire-vectors.rs`: writes `wire/vectors.json` from `assay-wire` and this
//!   runtime's calls.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` does a lot of recursion and requires us to increase the limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod constants;
pub mod genesis_config_presets;
pub mod randomness;
#[cfg(test)]
mod tests;

use alloc::{borrow::Cow, vec::Vec};
use polkadot_sdk::{
	sp_runtime::{
		generic, impl_opaque_keys,
		traits::{BlakeTwo256, IdentifyAccount, Verify},
		MultiAddress, MultiSignature,
	},
	sp_version::RuntimeVersion,
	*,
};

pub use apis::RuntimeApi;
pub use constants::*;

/// Opaque types: what the node needs to know about the runtime without its calls.
pub mod opaque {
	use super::*;
	use alloc::vec::Vec;
	pub use polkadot_sdk::sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The session keys of a validator: `babe` for block production, `grandpa` for
		/// finality. The inference worker's `infr` key is kept apart (see
		/// `assay_primitives::inference_key`).
		pub struct SessionKeys {
			/// BABE block production key (sr25519).
			pub babe: Babe,
			/// GRANDPA finality key (ed25519).
			pub grandpa: Grandpa,
		}
	}
}

pub use opaque::SessionKeys;

/// The runtime's identity. `spec_name` is "assay".
#[cfg(not(feature = "upgrade-test"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("assay"),
	impl_name: Cow::Borrowed("assay-node"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// The same runtime one `spec_version` higher, built only by `runtime/upgrade-test` for
/// the zombienet runtime-upgrade test (`sp_version::runtime_version` reads literals, so the
/// version is written out again; keep it the one above plus one).
#[cfg(feature = "upgrade-test")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("assay"),
	impl_name: Cow::Borrowed("assay-node"),
	authoring_version: 1,
	spec_version: 101,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Signature of transactions: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balances, in plancks (10^-12 ASY).
pub type Balance = u128;
/// Transaction index of an account.
pub type Nonce = u32;
/// Hash type.
pub type Hash = polkadot_sdk::sp_core::H256;
/// Block number type.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block's signed block type.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, in order. `AuthorizeCall` comes first so pallets can
/// authorize feeless calls with `#[pallet::authorize]`.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The transaction extensions with mortality `era`, the signer's `nonce` and a `tip`: what
/// the off-chain workers' signed transactions carry (and, immortal with nonce 0, general
/// transactions).
pub fn tx_extension(era: generic::Era, nonce: Nonce, tip: Balance) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// The storage migrations of this runtime, each versioned: it runs only on the storage
/// version it migrates from.
pub type Migrations = (pallet_compute_market::migrations::v2::MigrateV1ToV2<Runtime>,);

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Babe = pallet_babe;

	#[runtime::pallet_index(3)]
	pub type Authorship = pallet_authorship;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Session before ValidatorSet: the validator set adopts session's genesis keys.
	#[runtime::pallet_index(6)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(7)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(8)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(9)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(10)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(11)]
	pub type Earnings = pallet_earnings;

	#[runtime::pallet_index(12)]
	pub type DeviceRegistry = pallet_device_registry;

	#[runtime::pallet_index(13)]
	pub type ComputeMarket = pallet_compute_market;

	#[runtime::pallet_index(14)]
	pub type ProofOfCoverage = pallet_proof_of_coverage;

	#[runtime::pallet_index(15)]
	pub type EnergyMarket = pallet_energy_market;

	/// Session roots for equivocation proofs.
	#[runtime::pallet_index(16)]
	pub type Historical = pallet_session::historical;

	/// Offence reports (BABE and GRANDPA equivocations).
	#[runtime::pallet_index(17)]
	pub type Offences = pallet_offences;
}

//! The runtime APIs: what the node, Polkadot.js Apps ("Runtime calls") and clients read.

use super::*;
use alloc::vec::Vec;
use assay_primitives::EarningsRecord;
use polkadot_sdk::{
	frame_support::{
		genesis_builder_helper::{build_state, get_preset},
		traits::KeyOwnerProofSystem,
		weights::Weight,
	},
	pallet_grandpa::AuthorityId as GrandpaId,
	sp_api::impl_runtime_apis,
	sp_core::{crypto::KeyTypeId, OpaqueMetadata},
	sp_runtime::{
		traits::{Block as BlockT, NumberFor},
		transaction_validity::{TransactionSource, TransactionValidity},
		ApplyExtrinsicResult,
	},
	sp_version::RuntimeVersion,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_babe::BabeApi<Block> for Runtime {
		fn configuration() -> sp_consensus_babe::BabeConfiguration {
			let epoch_config = Babe::epoch_config().unwrap_or(BABE_GENESIS_EPOCH_CONFIG);
			sp_consensus_babe::BabeConfiguration {
				slot_duration: Babe::slot_duration(),
				epoch_length: configs::EpochDuration::get(),
				c: epoch_config.c,
				authorities: Babe::authorities().to_vec(),
				randomness: Babe::randomness(),
				allowed_slots: epoch_config.allowed_slots,
			}
		}

		fn current_epoch_start() -> sp_consensus_babe::Slot {
			Babe::current_epoch_start()
		}

		fn current_epoch() -> sp_consensus_babe::Epoch {
			Babe::current_epoch()
		}

		fn next_epoch() -> sp_consensus_babe::Epoch {
			Babe::next_epoch()
		}

		fn generate_key_ownership_proof(
			_slot: sp_consensus_babe::Slot,
			authority_id: sp_consensus_babe::AuthorityId,
		) -> Option<sp_consensus_babe::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			Historical::prove((sp_consensus_babe::KEY_TYPE, authority_id))
				.map(|proof| proof.encode())
				.map(sp_consensus_babe::OpaqueKeyOwnershipProof::new)
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			equivocation_proof: sp_consensus_babe::EquivocationProof<<Block as BlockT>::Header>,
			key_owner_proof: sp_consensus_babe::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			let key_owner_proof = key_owner_proof.decode()?;
			Babe::submit_unsigned_equivocation_report(equivocation_proof, key_owner_proof)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			let key_owner_proof = key_owner_proof.decode()?;
			Grandpa::submit_unsigned_equivocation_report(equivocation_proof, key_owner_proof)
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			Historical::prove((sp_consensus_grandpa::KEY_TYPE, authority_id))
				.map(|proof| proof.encode())
				.map(sp_consensus_grandpa::OpaqueKeyOwnershipProof::new)
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_earnings::runtime_api::EarningsApi<Block, AccountId, Balance> for Runtime {
		fn earnings(who: AccountId) -> EarningsRecord<Balance> {
			Earnings::earnings_of(&who)
		}

		fn total_earnings() -> EarningsRecord<Balance> {
			Earnings::total_earnings()
		}
	}

	impl pallet_validator_set::runtime_api::ValidatorSetApi<Block, AccountId> for Runtime {
		fn validators() -> Vec<AccountId> {
			ValidatorSet::validators()
		}
	}

	impl pallet_device_registry::runtime_api::DeviceRegistryApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn device(id: AccountId) -> Option<pallet_device_registry::DeviceInfo<AccountId, Balance, BlockNumber>> {
			pallet_device_registry::Devices::<Runtime>::get(id)
		}

		fn devices_of(owner: AccountId) -> Vec<AccountId> {
			DeviceRegistry::devices_of(&owner)
		}

		fn next_report_nonce(device: AccountId) -> u64 {
			pallet_device_registry::Reports::<Runtime>::get(device).next_nonce
		}
	}

	impl pallet_compute_market::runtime_api::ComputeApi<
		Block,
		AccountId,
		pallet_compute_market::JobOf<Runtime>,
		pallet_compute_market::ModelOf<Runtime>,
		pallet_compute_market::ProviderOf<Runtime>,
	> for Runtime {
		fn job(id: pallet_compute_market::JobId) -> Option<pallet_compute_market::JobOf<Runtime>> {
			pallet_compute_market::Jobs::<Runtime>::get(id)
		}

		fn assignments_of(worker: AccountId) -> Vec<pallet_compute_market::JobId> {
			ComputeMarket::assignments_of(&worker)
		}

		fn models() -> Vec<(pallet_compute_market::ModelId, pallet_compute_market::ModelOf<Runtime>)> {
			ComputeMarket::models()
		}

		fn provider(who: AccountId) -> Option<pallet_compute_market::ProviderOf<Runtime>> {
			pallet_compute_market::Providers::<Runtime>::get(who)
		}

		fn model_providers(model: pallet_compute_market::ModelId) -> Vec<AccountId> {
			pallet_compute_market::ModelProviders::<Runtime>::get(model).into_inner()
		}
	}

	impl pallet_proof_of_coverage::runtime_api::CoverageApi<Block, AccountId, BlockNumber, Balance> for Runtime {
		fn beacon(
			id: pallet_proof_of_coverage::BeaconId,
		) -> Option<pallet_proof_of_coverage::BeaconView<AccountId, BlockNumber>> {
			ProofOfCoverage::beacon_view(id)
		}

		fn hex_scale(device: AccountId) -> Option<polkadot_sdk::sp_arithmetic::FixedU128> {
			ProofOfCoverage::hex_scale(&device)
		}

		fn pending_rewards(owner: AccountId) -> Vec<pallet_proof_of_coverage::PendingReward<Balance>> {
			ProofOfCoverage::pending_rewards(&owner)
		}

		fn latest_entropy() -> Option<(pallet_proof_of_coverage::EntropyIndex, [u8; 32])> {
			ProofOfCoverage::latest_entropy()
		}

		fn witness_features(
			beacon: pallet_proof_of_coverage::BeaconId,
		) -> Vec<(AccountId, pallet_proof_of_coverage::features::Features)> {
			ProofOfCoverage::witness_features(beacon)
		}
	}

	impl pallet_energy_market::runtime_api::EnergyApi<Block, AccountId, Balance> for Runtime {
		fn order_book(
			zone: pallet_energy_market::ZoneId,
			slot: pallet_energy_market::SlotIndex,
		) -> pallet_energy_market::OrderBookView<AccountId, Balance> {
			EnergyMarket::order_book(zone, slot)
		}

		fn clearing(
			zone: pallet_energy_market::ZoneId,
			slot: pallet_energy_market::SlotIndex,
		) -> Option<pallet_energy_market::ClearingView<AccountId>> {
			EnergyMarket::clearing_view(zone, slot)
		}

		fn position(
			account: AccountId,
			zone: pallet_energy_market::ZoneId,
			slot: pallet_energy_market::SlotIndex,
		) -> pallet_energy_market::PositionView<Balance> {
			EnergyMarket::position(&account, zone, slot)
		}

		fn debt(debtor: AccountId, creditor: AccountId) -> Balance {
			EnergyMarket::debt(&debtor, &creditor)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			genesis_config_presets::preset_names()
		}
	}

	/// `try-runtime` checks (only in a runtime built with the `try-runtime` feature, as the
	/// zombienet upgrade test's runtime is): migrations with their pre- and post-checks,
	/// every pallet's `do_try_state`, and a decode of the entire state. A failed check
	/// fails the call: the API's contract has no error value, so this is the one place
	/// runtime code stops on purpose, and it never runs in block execution.
	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(
			checks: frame_try_runtime::UpgradeCheckSelect,
		) -> (Weight, Weight) {
			match Executive::try_runtime_upgrade(checks) {
				Ok(weight) => (weight, configs::RuntimeBlockWeights::get().max_block),
				Err(e) => panic!("try-runtime upgrade checks failed: {e:?}"),
			}
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			match Executive::try_execute_block(block, state_root_check, signature_check, select) {
				Ok(weight) => weight,
				Err(e) => panic!("try-runtime block execution failed: {e:?}"),
			}
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use crate::benchmarks::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::WhitelistedStorageKeys;
			use crate::benchmarks::*;

			let whitelist = AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}
}

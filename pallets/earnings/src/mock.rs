//! A minimal runtime with the earnings ledger.

use crate as pallet_earnings;
use polkadot_sdk::{frame_support::derive_impl, frame_system, sp_runtime::BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;

polkadot_sdk::frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Earnings: pallet_earnings,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_earnings::Config for Test {
	type Balance = u128;
}

/// Externalities at block 1 (so events are recorded).
pub fn new_test_ext() -> polkadot_sdk::sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = polkadot_sdk::sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		<AllPalletsWithSystem as polkadot_sdk::frame_support::traits::OnGenesis>::on_genesis();
		System::set_block_number(1);
	});
	ext
}

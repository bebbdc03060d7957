//! Test doubles shared by the pallets' mock runtimes (feature `testing`): a seed source
//! over settable randomness, through the chain's one seed function, and an earnings
//! ledger that records what was earned. State is per thread, as each test runs on its own.

use crate::{derive_seed, EarningSource, Earnings, SeedSource};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use core::cell::RefCell;

/// The randomness a fresh test starts with.
pub const DEFAULT_RANDOMNESS: [u8; 32] = [7u8; 32];

std::thread_local! {
	static RANDOMNESS: RefCell<Option<[u8; 32]>> = const { RefCell::new(Some(DEFAULT_RANDOMNESS)) };
	static EARNED: RefCell<Vec<(Vec<u8>, EarningSource, u128)>> = const { RefCell::new(Vec::new()) };
}

/// Sets the randomness seeds derive from (`None`: the chain has none yet).
pub fn set_randomness(randomness: Option<[u8; 32]>) {
	RANDOMNESS.with(|r| *r.borrow_mut() = randomness);
}

/// Back to a fresh test's state: default randomness, nothing earned.
pub fn reset() {
	set_randomness(Some(DEFAULT_RANDOMNESS));
	EARNED.with(|e| e.borrow_mut().clear());
}

/// Seeds from the settable randomness, through [`derive_seed`].
pub struct TestSeeds;
impl SeedSource for TestSeeds {
	fn seed(domain_tag: &[u8], subject_id: &[u8]) -> Option<[u8; 32]> {
		RANDOMNESS
			.with(|r| *r.borrow())
			.map(|r| derive_seed(domain_tag, &r, subject_id))
	}
}

/// Records every earning.
pub struct RecordEarnings;
impl<AccountId: Encode, Balance: Into<u128>> Earnings<AccountId, Balance> for RecordEarnings {
	fn record(who: &AccountId, source: EarningSource, amount: Balance) {
		EARNED.with(|e| e.borrow_mut().push((who.encode(), source, amount.into())));
	}
}

/// What `who` earned from `source` so far.
pub fn earned<AccountId: Encode>(who: &AccountId, source: EarningSource) -> u128 {
	let who = who.encode();
	EARNED.with(|e| {
		e.borrow()
			.iter()
			.filter(|(w, s, _)| *w == who && *s == source)
			.map(|(_, _, a)| a)
			.sum()
	})
}

/// Every earning recorded so far, in order.
pub fn records<AccountId: Decode>() -> Vec<(AccountId, EarningSource, u128)> {
	EARNED.with(|e| {
		e.borrow()
			.iter()
			.map(|(w, s, a)| (AccountId::decode(&mut &w[..]).expect("encoded by record"), *s, *a))
			.collect()
	})
}

/// Whether one earning of exactly `amount` was recorded for `who` from `source`.
pub fn recorded<AccountId: Encode>(who: &AccountId, source: EarningSource, amount: u128) -> bool {
	let who = who.encode();
	EARNED.with(|e| e.borrow().iter().any(|(w, s, a)| *w == who && *s == source && *a == amount))
}

//! Time, money and consensus constants of the Assay runtime.

use crate::{Balance, BlockNumber};
use polkadot_sdk::sp_consensus_babe;

/// Target block time: 6 seconds.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// BABE slot duration (equal to the block time).
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// A BABE epoch, which is also a session: 1 minute (10 blocks). Short on purpose: a
/// validator added or removed by governance is active within two minutes, and network
/// tests see rotations quickly.
pub const EPOCH_DURATION_IN_SLOTS: u64 = 10;

/// BABE's primary-slot probability `c` = 1/4 and secondary VRF slots, so every block
/// carries VRF randomness.
pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

/// BABE's epoch configuration at genesis.
pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
	sp_consensus_babe::BabeEpochConfiguration {
		c: PRIMARY_PROBABILITY,
		allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
	};

/// 1 ASY = 10^12 plancks (12 decimals).
pub const UNIT: Balance = 1_000_000_000_000;
/// 10^-3 ASY.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// 10^-6 ASY.
pub const MICRO_UNIT: Balance = 1_000_000;

/// The smallest balance an account may hold: 0.001 ASY.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The token symbol shown in Polkadot.js Apps.
pub const TOKEN_SYMBOL: &str = "ASY";
/// The token's decimals.
pub const TOKEN_DECIMALS: u8 = 12;
/// SS58 prefix of addresses (42: the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// Share of transaction fees (tips excluded) that goes to the block author; the rest is
/// burned. Tips go wholly to the author.
pub const FEE_AUTHOR_PERCENT: u32 = 80;

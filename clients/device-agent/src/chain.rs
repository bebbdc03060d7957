//! The connection to the node: a subxt client (dynamic API, metadata fetched at start), the
//! legacy JSON-RPC methods for raw submission, a block follower that decodes the events the
//! agent cares about, signed transactions with per-account nonces, and waits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use scale_decode::DecodeAsType;
use subxt::backend::LegacyBackend;
use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::config::{DefaultExtrinsicParamsBuilder, RpcConfigFor};
use subxt::dynamic::Value;
use subxt::ext::scale_value::Composite;
use subxt::rpcs::methods::LegacyRpcMethods;
use subxt::rpcs::RpcClient;
use subxt::utils::AccountId32;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;
use tokio::sync::watch;

pub type Api = OnlineClient<SubstrateConfig>;
type Rpc = LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>;
type AtBlock = ClientAtBlock<SubstrateConfig, OnlineClientAtBlockImpl<SubstrateConfig>>;
pub type Account = [u8; 32];

/// 1 ASY in plancks (12 decimals).
pub const UNIT: u128 = 1_000_000_000_000;

/// A runtime call built dynamically: pallet, call, named fields (in the call's order).
#[derive(Clone)]
pub struct Call {
	pub pallet: &'static str,
	pub name: &'static str,
	pub fields: Vec<(&'static str, Value)>,
}

impl Call {
	pub fn new(
		pallet: &'static str,
		name: &'static str,
		fields: Vec<(&'static str, Value)>,
	) -> Self {
		Call { pallet, name, fields }
	}

	fn payload(&self) -> subxt::transactions::DynamicPayload<Composite<()>> {
		let fields = Composite::named(self.fields.iter().map(|(k, v)| (k.to_string(), v.clone())));
		subxt::dynamic::tx(self.pallet, self.name, fields)
	}

	/// The call as a `RuntimeCall` value, for `utility.batch_all`.
	pub fn to_value(&self) -> Value {
		self.payload().into_value()
	}
}

/// `utility.batch_all(calls)`.
pub fn batch_all(calls: &[Call]) -> Call {
	Call::new(
		"Utility",
		"batch_all",
		vec![("calls", Value::unnamed_composite(calls.iter().map(Call::to_value)))],
	)
}

/// SCALE-friendly `Value`s of the runtime's argument types.
pub mod v {
	use super::*;
	pub fn account(a: &Account) -> Value {
		Value::from_bytes(a)
	}
	pub fn bytes(b: &[u8]) -> Value {
		Value::from_bytes(b)
	}
	pub fn u(n: impl Into<u128>) -> Value {
		Value::u128(n.into())
	}
	pub fn i(n: impl Into<i128>) -> Value {
		Value::i128(n.into())
	}
	pub fn variant(name: &str) -> Value {
		Value::unnamed_variant(name, [])
	}
	/// `MultiSignature::Sr25519(sig)`.
	pub fn sr25519_signature(sig: &[u8; 64]) -> Value {
		Value::unnamed_variant("Sr25519", [Value::from_bytes(sig)])
	}
	/// `MultiSigner::Sr25519(public)`.
	pub fn sr25519_signer(public: &Account) -> Value {
		Value::unnamed_variant("Sr25519", [Value::from_bytes(public)])
	}
}

/// The events the agent follows, decoded.
#[derive(Clone, Debug)]
pub enum ChainEvent {
	BeaconSubmitted {
		beacon: u64,
		beaconer: Account,
	},
	BeaconVerified {
		beacon: u64,
		valid: u32,
		selected: u32,
	},
	/// A report of a relayed batch was refused at dispatch (the relay paid the fee).
	RelayedWitnessRefused {
		beacon: u64,
		witness: Account,
	},
	RewardsClaimed {
		owner: Account,
		epoch: u32,
		amount: u128,
	},
	OrderPlaced {
		order: u64,
		meter: Account,
		slot: u32,
	},
	SlotCleared {
		zone: u32,
		slot: u32,
		price: u64,
		volume: u64,
	},
	ReadingSubmitted {
		meter: Account,
		slot_boundary: u32,
	},
	PositionSettled {
		slot: u32,
		meter: Account,
		owner: Account,
		net: i128,
		debt: u128,
	},
	JobSubmitted {
		job: u64,
		owner: Account,
	},
	JobCompleted {
		job: u64,
	},
	JobFailed {
		job: u64,
		reason: String,
	},
	WorkerPaid {
		job: u64,
		worker: Account,
		amount: u128,
	},
}

mod raw {
	use super::*;
	#[derive(DecodeAsType)]
	pub struct BeaconSubmitted {
		pub beacon: u64,
		pub beaconer: AccountId32,
	}
	#[derive(DecodeAsType)]
	pub struct BeaconVerified {
		pub beacon: u64,
		pub valid: u32,
		pub selected: u32,
	}
	#[derive(DecodeAsType)]
	pub struct RelayedWitnessRefused {
		pub beacon: u64,
		pub witness: AccountId32,
	}
	#[derive(DecodeAsType)]
	pub struct RewardsClaimed {
		pub owner: AccountId32,
		pub epoch: u32,
		pub amount: u128,
	}
	#[derive(DecodeAsType)]
	pub struct OrderPlaced {
		pub order: u64,
		pub meter: AccountId32,
		pub slot: u32,
	}
	#[derive(DecodeAsType)]
	pub struct SlotCleared {
		pub zone: u32,
		pub slot: u32,
		pub price: u64,
		pub volume: u64,
	}
	#[derive(DecodeAsType)]
	pub struct ReadingSubmitted {
		pub meter: AccountId32,
		pub slot_boundary: u32,
	}
	#[derive(DecodeAsType)]
	pub struct PositionSettled {
		pub slot: u32,
		pub meter: AccountId32,
		pub owner: AccountId32,
		pub net: i128,
		pub debt: u128,
	}
	#[derive(DecodeAsType)]
	pub struct JobSubmitted {
		pub job: u64,
		pub owner: AccountId32,
	}
	#[derive(DecodeAsType)]
	pub struct JobCompleted {
		pub job: u64,
	}
	#[derive(DecodeAsType)]
	pub struct JobFailed {
		pub job: u64,
		pub reason: subxt::dynamic::Value,
	}
	#[derive(DecodeAsType)]
	pub struct WorkerPaid {
		pub job: u64,
		pub worker: AccountId32,
		pub amount: u128,
	}
}

fn decode_event<E: scale_decode::DecodeAsFields>(
	ev: &subxt::events::Event<'_, SubstrateConfig>,
) -> Option<E> {
	ev.decode_fields_unchecked_as::<E>().ok()
}

/// Decodes one event if it is one the agent follows.
fn follow(ev: &subxt::events::Event<'_, SubstrateConfig>) -> Option<ChainEvent> {
	use ChainEvent as C;
	Some(match (ev.pallet_name(), ev.event_name()) {
		("ProofOfCoverage", "BeaconSubmitted") => {
			let e: raw::BeaconSubmitted = decode_event(ev)?;
			C::BeaconSubmitted { beacon: e.beacon, beaconer: e.beaconer.0 }
		},
		("ProofOfCoverage", "BeaconVerified") => {
			let e: raw::BeaconVerified = decode_event(ev)?;
			C::BeaconVerified { beacon: e.beacon, valid: e.valid, selected: e.selected }
		},
		("ProofOfCoverage", "RelayedWitnessRefused") => {
			let e: raw::RelayedWitnessRefused = decode_event(ev)?;
			C::RelayedWitnessRefused { beacon: e.beacon, witness: e.witness.0 }
		},
		("ProofOfCoverage", "RewardsClaimed") => {
			let e: raw::RewardsClaimed = decode_event(ev)?;
			C::RewardsClaimed { owner: e.owner.0, epoch: e.epoch, amount: e.amount }
		},
		("EnergyMarket", "OrderPlaced") => {
			let e: raw::OrderPlaced = decode_event(ev)?;
			C::OrderPlaced { order: e.order, meter: e.meter.0, slot: e.slot }
		},
		("EnergyMarket", "SlotCleared") => {
			let e: raw::SlotCleared = decode_event(ev)?;
			C::SlotCleared { zone: e.zone, slot: e.slot, price: e.price, volume: e.volume }
		},
		("EnergyMarket", "ReadingSubmitted") => {
			let e: raw::ReadingSubmitted = decode_event(ev)?;
			C::ReadingSubmitted { meter: e.meter.0, slot_boundary: e.slot_boundary }
		},
		("EnergyMarket", "PositionSettled") => {
			let e: raw::PositionSettled = decode_event(ev)?;
			C::PositionSettled {
				slot: e.slot,
				meter: e.meter.0,
				owner: e.owner.0,
				net: e.net,
				debt: e.debt,
			}
		},
		("ComputeMarket", "JobSubmitted") => {
			let e: raw::JobSubmitted = decode_event(ev)?;
			C::JobSubmitted { job: e.job, owner: e.owner.0 }
		},
		("ComputeMarket", "JobCompleted") => {
			let e: raw::JobCompleted = decode_event(ev)?;
			C::JobCompleted { job: e.job }
		},
		("ComputeMarket", "JobFailed") => {
			let e: raw::JobFailed = decode_event(ev)?;
			C::JobFailed { job: e.job, reason: e.reason.to_string() }
		},
		("ComputeMarket", "WorkerPaid") => {
			let e: raw::WorkerPaid = decode_event(ev)?;
			C::WorkerPaid { job: e.job, worker: e.worker.0, amount: e.amount }
		},
		_ => return None,
	})
}

/// Every followed event since the agent started, by block number.
#[derive(Default)]
pub struct EventLog {
	events: Mutex<Vec<(u64, ChainEvent)>>,
}

impl EventLog {
	/// The first event at or after block `from` that `pick` accepts.
	pub fn find<R>(
		&self,
		from: u64,
		mut pick: impl FnMut(&ChainEvent) -> Option<R>,
	) -> Option<(u64, R)> {
		let events = self.events.lock().unwrap();
		events
			.iter()
			.filter(|(n, _)| *n >= from)
			.find_map(|(n, e)| pick(e).map(|r| (*n, r)))
	}

	/// Every event in blocks `(after, upto]` that `pick` accepts.
	pub fn collect<R>(
		&self,
		after: u64,
		upto: u64,
		mut pick: impl FnMut(&ChainEvent) -> Option<R>,
	) -> Vec<(u64, R)> {
		let events = self.events.lock().unwrap();
		events
			.iter()
			.filter(|(n, _)| *n > after && *n <= upto)
			.filter_map(|(n, e)| pick(e).map(|r| (*n, r)))
			.collect()
	}
}

/// The agent's connection to a node.
pub struct Chain {
	pub api: Api,
	rpc: Rpc,
	/// A client pinned at the block the agent connected at: used to encode calls with the
	/// metadata (which does not change during a run).
	encoder: AtBlock,
	pub genesis: [u8; 32],
	pub log: EventLog,
	head: watch::Sender<u64>,
	/// The newest block that included one of the agent's signed transactions.
	last_included: std::sync::atomic::AtomicU64,
	nonces: Mutex<HashMap<Account, Arc<tokio::sync::Mutex<Option<u64>>>>>,
}

/// A signed transaction in a block: its block number and the followed events it caused.
pub struct Included {
	pub block: u64,
	pub events: Vec<ChainEvent>,
}

impl Chain {
	/// Connects to `url`, retrying for `wait` while the node starts.
	pub async fn connect(url: &str, wait: Duration) -> Result<Arc<Chain>> {
		let deadline = tokio::time::Instant::now() + wait;
		let rpc_client = loop {
			match RpcClient::from_insecure_url(url).await {
				Ok(c) => break c,
				Err(e) if tokio::time::Instant::now() < deadline => {
					let _ = e;
					tokio::time::sleep(Duration::from_millis(500)).await;
				},
				Err(e) => bail!("cannot connect to {url}: {e}"),
			}
		};
		let backend = LegacyBackend::<SubstrateConfig>::builder().build(rpc_client.clone());
		let api = OnlineClient::<SubstrateConfig>::from_backend(Arc::new(backend))
			.await
			.context("cannot build the subxt client")?;
		let rpc = Rpc::new(rpc_client);
		let best = rpc.chain_get_header(None).await?.map(|h| h.number).unwrap_or(0);
		let encoder = api.at_block(best).await.context("cannot read the metadata")?;
		let genesis = api.genesis_hash().0;
		let (head, _) = watch::channel(best);
		Ok(Arc::new(Chain {
			api,
			rpc,
			encoder,
			genesis,
			log: EventLog::default(),
			head,
			last_included: std::sync::atomic::AtomicU64::new(best),
			nonces: Mutex::new(HashMap::new()),
		}))
	}

	/// Follows the chain: every new best block's events go into the log, then the head
	/// moves. Runs until the process ends.
	pub fn spawn_follower(self: &Arc<Self>) {
		let chain = self.clone();
		tokio::spawn(async move {
			let mut done = *chain.head.borrow();
			loop {
				if let Ok(Some(header)) = chain.rpc.chain_get_header(None).await {
					{
						let best = header.number;
						while done < best {
							let n = done + 1;
							match chain.block_events(n).await {
								Ok(events) => {
									chain
										.log
										.events
										.lock()
										.unwrap()
										.extend(events.into_iter().map(|e| (n, e)));
									done = n;
									chain.head.send_replace(n);
								},
								Err(_) => break,
							}
						}
					}
				}
				tokio::time::sleep(Duration::from_millis(250)).await;
			}
		});
	}

	async fn block_events(&self, n: u64) -> Result<Vec<ChainEvent>> {
		let at = self.api.at_block(n).await?;
		let events = at.events().fetch().await?;
		Ok(events.iter().filter_map(|e| e.ok()).filter_map(|e| follow(&e)).collect())
	}

	/// The newest block the follower has processed.
	pub fn head(&self) -> u64 {
		*self.head.borrow()
	}

	/// Waits until the follower has processed every block that included one of the agent's
	/// signed transactions (a transaction's watch may report its block first); returns the head.
	pub async fn catch_up(&self) -> u64 {
		self.wait_block(self.last_included.load(std::sync::atomic::Ordering::SeqCst))
			.await
	}

	/// Waits until the follower has processed block `n`.
	pub async fn wait_block(&self, n: u64) -> u64 {
		let mut rx = self.head.subscribe();
		loop {
			let now = *rx.borrow_and_update();
			if now >= n {
				return now;
			}
			if rx.changed().await.is_err() {
				return now;
			}
		}
	}

	/// Waits for the next processed block; returns its number.
	pub async fn next_block(&self) -> u64 {
		let now = self.head();
		self.wait_block(now + 1).await
	}

	/// Waits (at most `blocks` blocks) for an event from block `from` on that `pick` accepts.
	pub async fn wait_event<R>(
		&self,
		from: u64,
		blocks: u64,
		mut pick: impl FnMut(&ChainEvent) -> Option<R>,
	) -> Option<(u64, R)> {
		let until = self.head().max(from) + blocks;
		loop {
			if let Some(found) = self.log.find(from, &mut pick) {
				return Some(found);
			}
			if self.head() >= until {
				return None;
			}
			self.next_block().await;
		}
	}

	/// A client at block `n` (for runtime-API reads at a fixed block).
	pub async fn at(&self, n: u64) -> Result<AtBlock> {
		Ok(self.api.at_block(n).await?)
	}

	/// Calls runtime API `api.method(args)` at block `n`.
	pub async fn call_at<Args, R>(&self, n: u64, api: &str, method: &str, args: Args) -> Result<R>
	where
		Args: subxt::ext::frame_decode::runtime_apis::IntoEncodableValues,
		R: DecodeAsType,
	{
		let at = self.at(n).await?;
		let payload = subxt::dynamic::runtime_api_call::<Args, R>(api, method, args);
		at.runtime_apis()
			.call(payload)
			.await
			.map_err(|e| anyhow!("{api}.{method}: {e}"))
	}

	/// Calls runtime API `api.method(args)` at the newest processed block.
	pub async fn call<Args, R>(&self, api: &str, method: &str, args: Args) -> Result<R>
	where
		Args: subxt::ext::frame_decode::runtime_apis::IntoEncodableValues,
		R: DecodeAsType,
	{
		self.call_at(self.head(), api, method, args).await
	}

	/// Reads a plain storage value `pallet.entry` at the newest processed block.
	pub async fn storage_value<R: DecodeAsType>(&self, pallet: &str, entry: &str) -> Result<R> {
		let at = self.at(self.head()).await?;
		let addr = subxt::dynamic::storage::<(), R>(pallet, entry);
		Ok(at.storage().fetch(addr, ()).await?.decode()?)
	}

	/// Reads a storage map entry `pallet.entry(key)` at the newest processed block; `None`
	/// when absent.
	pub async fn storage_map<K, R>(&self, pallet: &str, entry: &str, key: K) -> Result<Option<R>>
	where
		K: subxt::ext::scale_encode::EncodeAsType + DecodeAsType,
		R: DecodeAsType,
	{
		let at = self.at(self.head()).await?;
		let addr = subxt::dynamic::storage::<(K,), R>(pallet, entry);
		match at.storage().try_fetch(addr, (key,)).await? {
			Some(value) => Ok(Some(value.decode()?)),
			None => Ok(None),
		}
	}

	/// The SCALE call data of `call` (pallet index, call index, arguments).
	pub fn call_data(&self, call: &Call) -> Result<Vec<u8>> {
		self.encoder
			.tx()
			.call_data(&call.payload())
			.map_err(|e| anyhow!("encoding {}.{}: {e}", call.pallet, call.name))
	}

	/// Submits raw extrinsic bytes with `author_submitExtrinsic`: the pool's verdict comes
	/// back at once (an error carries e.g. `Custom error: 64`).
	pub async fn submit_raw(&self, xt: &[u8]) -> Result<()> {
		self.rpc
			.author_submit_extrinsic(xt)
			.await
			.map(|_| ())
			.map_err(|e| anyhow!("{e}"))
	}

	/// Signs `call` as `signer` (its nonce tracked here, so several tasks may sign for one
	/// account), submits it and waits until it is in a best block; fails with the dispatch
	/// error if it failed.
	pub async fn sign_and_wait(&self, signer: &Keypair, call: &Call) -> Result<Included> {
		let who = signer.public_key().0;
		let slot = self.nonces.lock().unwrap().entry(who).or_default().clone();
		let payload = call.payload();
		let mut progress = {
			let mut next = slot.lock().await;
			let nonce = match *next {
				Some(n) => n,
				None => self.rpc.system_account_next_index(&AccountId32(who)).await?,
			};
			let params =
				DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new().nonce(nonce).build();
			let mut tx = self.api.tx().await?;
			match tx.sign_and_submit_then_watch(&payload, signer, params).await {
				Ok(progress) => {
					*next = Some(nonce + 1);
					progress
				},
				Err(e) => {
					*next = None;
					bail!("{}.{} refused: {e}", call.pallet, call.name);
				},
			}
		};
		use subxt::transactions::TransactionStatus as S;
		while let Some(status) = progress.next().await {
			let in_block =
				match status.map_err(|e| anyhow!("{}.{}: {e}", call.pallet, call.name))? {
					S::InBestBlock(b) | S::InFinalizedBlock(b) => b,
					S::Invalid { message } | S::Dropped { message } | S::Error { message } => {
						*slot.lock().await = None;
						bail!("{}.{}: {message}", call.pallet, call.name);
					},
					_ => continue,
				};
			let events = in_block
				.wait_for_success()
				.await
				.map_err(|e| anyhow!("{}.{} failed: {e}", call.pallet, call.name))?;
			let block = in_block.at().await?.block_number();
			self.last_included.fetch_max(block, std::sync::atomic::Ordering::SeqCst);
			let followed =
				events.iter().filter_map(|e| e.ok()).filter_map(|e| follow(&e)).collect();
			return Ok(Included { block, events: followed });
		}
		bail!("{}.{}: the transaction's status stream ended", call.pallet, call.name)
	}
}

/// A short display form of an account: its first bytes in hex.
pub fn short(a: &Account) -> String {
	format!("0x{}…", hex::encode(&a[..4]))
}

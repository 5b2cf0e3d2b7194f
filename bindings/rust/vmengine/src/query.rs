//! [`Query`]: matchers, PromQL selectors, a time range, tenant and series limit.
use std::ffi::c_char;
use std::ptr::NonNull;

use vmengine_sys as sys;

use crate::error::{cstring, ffi_call, Error, ErrorCode, Result};

/// How a [`Matcher`] compares a label (`vme_match_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchType {
    /// `label="value"` (`VME_MATCH_EQ`).
    Eq,
    /// `label!="value"` (`VME_MATCH_NEQ`).
    Neq,
    /// `label=~"regex"`, fully anchored, RE2 syntax (`VME_MATCH_RE`).
    Re,
    /// `label!~"regex"` (`VME_MATCH_NRE`).
    Nre,
}

impl MatchType {
    fn raw(self) -> sys::vme_match_type {
        match self {
            MatchType::Eq => sys::VME_MATCH_EQ,
            MatchType::Neq => sys::VME_MATCH_NEQ,
            MatchType::Re => sys::VME_MATCH_RE,
            MatchType::Nre => sys::VME_MATCH_NRE,
        }
    }
}

/// One label matcher. Prometheus semantics: the metric name is the label `__name__`, a
/// missing label has the value "" (so `Eq(label, "")` matches series without it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Matcher {
    /// The comparison.
    pub kind: MatchType,
    /// Label name (`"__name__"` for the metric name).
    pub name: String,
    /// Value, or regex for [`MatchType::Re`] / [`MatchType::Nre`].
    pub value: String,
}

/// A search filter: matchers and PromQL selectors (all AND-ed), an inclusive time range in
/// milliseconds since the Unix epoch (UTC), and optionally a tenant and a series limit.
///
/// A `Query` is plain Rust data (`Clone + Send + Sync`); it is turned into a native
/// `vme_query` on each call that uses it, so errors in it (a bad regex or selector, min > max)
/// come from that call, as [`ErrorCode::InvalidArgument`] with the engine's message.
///
/// ```
/// use vmengine::Query;
/// let q = Query::new()
///     .time_range(1_700_000_000_000, 1_700_000_600_000)
///     .eq("__name__", "cpu_usage")
///     .re("host", "web-.*")
///     .selector(r#"{region="eu"}"#);
/// assert_eq!(q.matchers().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    min_ts_ms: i64,
    max_ts_ms: i64,
    matchers: Vec<Matcher>,
    selectors: Vec<String>,
    tenant: Option<(u32, u32)>,
    limit: Option<u64>,
}

impl Default for Query {
    fn default() -> Self {
        Query::new()
    }
}

impl Query {
    /// A query over all time (`0 ..= i64::MAX` ms) with no matchers: it matches every series.
    pub fn new() -> Query {
        Query {
            min_ts_ms: 0,
            max_ts_ms: i64::MAX,
            matchers: Vec::new(),
            selectors: Vec::new(),
            tenant: None,
            limit: None,
        }
    }

    /// A query with the matchers of a PromQL series selector, e.g. `up{job="a"}`.
    pub fn from_selector(selector: impl Into<String>) -> Query {
        Query::new().selector(selector)
    }

    /// Sets the inclusive time range `[min_ts_ms, max_ts_ms]` (ms since the epoch, UTC).
    /// min > max fails at the call that uses the query (`vme_query_set_time_range`).
    pub fn time_range(mut self, min_ts_ms: i64, max_ts_ms: i64) -> Query {
        self.min_ts_ms = min_ts_ms;
        self.max_ts_ms = max_ts_ms;
        self
    }

    /// Adds a matcher (`vme_query_add_matcher`).
    pub fn matcher(
        mut self,
        kind: MatchType,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Query {
        self.matchers.push(Matcher {
            kind,
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Adds `name="value"`.
    pub fn eq(self, name: impl Into<String>, value: impl Into<String>) -> Query {
        self.matcher(MatchType::Eq, name, value)
    }

    /// Adds `name!="value"`.
    pub fn neq(self, name: impl Into<String>, value: impl Into<String>) -> Query {
        self.matcher(MatchType::Neq, name, value)
    }

    /// Adds `name=~"regex"` (fully anchored, RE2 syntax).
    pub fn re(self, name: impl Into<String>, regex: impl Into<String>) -> Query {
        self.matcher(MatchType::Re, name, regex)
    }

    /// Adds `name!~"regex"`.
    pub fn nre(self, name: impl Into<String>, regex: impl Into<String>) -> Query {
        self.matcher(MatchType::Nre, name, regex)
    }

    /// Adds the matchers of a PromQL series selector such as
    /// `node_cpu_seconds_total{mode=~"idle|user",cpu!="0"}` (`vme_query_add_selector`).
    pub fn selector(mut self, selector: impl Into<String>) -> Query {
        self.selectors.push(selector.into());
        self
    }

    /// Overrides the db's default tenant (AccountID, ProjectID) for this query.
    pub fn tenant(mut self, account_id: u32, project_id: u32) -> Query {
        self.tenant = Some((account_id, project_id));
        self
    }

    /// Maximum number of series a search may match (0 = unlimited); more gives
    /// [`ErrorCode::Limit`].
    pub fn limit(mut self, max_series: u64) -> Query {
        self.limit = Some(max_series);
        self
    }

    /// The inclusive time range in ms.
    pub fn range(&self) -> (i64, i64) {
        (self.min_ts_ms, self.max_ts_ms)
    }

    /// The matchers added with [`Query::matcher`] and its shortcuts.
    pub fn matchers(&self) -> &[Matcher] {
        &self.matchers
    }

    /// The selectors added with [`Query::selector`].
    pub fn selectors(&self) -> &[String] {
        &self.selectors
    }

    pub(crate) fn to_native(&self) -> Result<NativeQuery> {
        // SAFETY: plain constructor; NULL only when out of memory.
        let raw = unsafe { sys::vme_query_create(self.min_ts_ms, self.max_ts_ms) };
        let q =
            NativeQuery(NonNull::new(raw).ok_or_else(|| {
                Error::new(ErrorCode::NoMemory, "out of memory creating the query")
            })?);
        let p = q.0.as_ptr();
        // SAFETY (all calls below): p is a live query owned by q; the inputs are borrowed for
        // the duration of each call only.
        ffi_call(|e| unsafe {
            sys::vme_query_set_time_range(p, self.min_ts_ms, self.max_ts_ms, e)
        })?;
        for m in &self.matchers {
            ffi_call(|e| unsafe {
                sys::vme_query_add_matcher(
                    p,
                    m.kind.raw(),
                    m.name.as_ptr() as *const c_char,
                    m.name.len(),
                    m.value.as_ptr() as *const c_char,
                    m.value.len(),
                    e,
                )
            })?;
        }
        for s in &self.selectors {
            let c = cstring(s, "selector")?;
            ffi_call(|e| unsafe { sys::vme_query_add_selector(p, c.as_ptr(), e) })?;
        }
        if let Some((a, pr)) = self.tenant {
            ffi_call(|e| unsafe { sys::vme_query_set_tenant(p, a, pr, e) })?;
        }
        if let Some(n) = self.limit {
            ffi_call(|e| unsafe { sys::vme_query_set_limit(p, n, e) })?;
        }
        Ok(q)
    }
}

/// Owned `vme_query`, destroyed on drop.
pub(crate) struct NativeQuery(NonNull<sys::vme_query>);

impl NativeQuery {
    pub(crate) fn as_ptr(&self) -> *const sys::vme_query {
        self.0.as_ptr()
    }
}

impl Drop for NativeQuery {
    fn drop(&mut self) {
        // SAFETY: owned pointer, destroyed once.
        unsafe { sys::vme_query_destroy(self.0.as_ptr()) }
    }
}

/// Converts an optional query; `None` stays NULL (all series of the default tenant).
pub(crate) fn opt_native(q: Option<&Query>) -> Result<Option<NativeQuery>> {
    q.map(Query::to_native).transpose()
}

pub(crate) fn opt_ptr(q: &Option<NativeQuery>) -> *const sys::vme_query {
    q.as_ref().map_or(std::ptr::null(), NativeQuery::as_ptr)
}

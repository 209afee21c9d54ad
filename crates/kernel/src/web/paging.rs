//! Paging long lists: a page number from the query, the offset to read from, and the links
//! and "showing X–Y of N" line of `_pager.html`.

/// One page of a list of `total` rows, `size` rows a page.
#[derive(Clone, Debug)]
pub struct Pager {
    /// 1-based, clamped to the pages there are.
    pub page_no: i64,
    pub pages: i64,
    pub total: i64,
    pub size: i64,
    /// The list's path and query without `page` (e.g. `/staff/users?q=chan`).
    base: String,
}

impl Pager {
    pub fn new(total: i64, requested: Option<i64>, size: i64, path: &str, query: &str) -> Pager {
        let pages = ((total + size - 1) / size).max(1);
        let page_no = requested.unwrap_or(1).clamp(1, pages);
        let base = if query.is_empty() { format!("{path}?") } else { format!("{path}?{query}&") };
        Pager { page_no, pages, total, size, base }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.page_no - 1) * self.size
    }

    /// The first and last row shown (1-based; `(0, 0)` for an empty list).
    pub fn range(&self) -> (i64, i64) {
        if self.total == 0 {
            return (0, 0);
        }
        (self.offset() + 1, (self.offset() + self.size).min(self.total))
    }

    pub fn prev_href(&self) -> Option<String> {
        (self.page_no > 1).then(|| format!("{}page={}", self.base, self.page_no - 1))
    }

    pub fn next_href(&self) -> Option<String> {
        (self.page_no < self.pages).then(|| format!("{}page={}", self.base, self.page_no + 1))
    }

    /// "Showing 51–100 of 230" in the page's language.
    pub fn showing(&self, locale: &crate::i18n::Locale) -> String {
        let (from, to) = self.range();
        locale.t_args(
            "pager-showing",
            &[("from", from.to_string()), ("to", to.to_string()), ("total", self.total.to_string())],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_links() {
        let p = Pager::new(120, Some(2), 50, "/staff/users", "q=chan");
        assert_eq!((p.offset(), p.range(), p.pages), (50, (51, 100), 3));
        assert_eq!(p.prev_href().as_deref(), Some("/staff/users?q=chan&page=1"));
        assert_eq!(p.next_href().as_deref(), Some("/staff/users?q=chan&page=3"));
        let last = Pager::new(120, Some(99), 50, "/x", "");
        assert_eq!((last.page_no, last.range(), last.next_href()), (3, (101, 120), None));
        let empty = Pager::new(0, Some(0), 50, "/x", "");
        assert_eq!((empty.page_no, empty.range(), empty.prev_href()), (1, (0, 0), None));
    }
}

//! Who may see and do what: a reviewer sees only the applications of their departments; the
//! front desk accepts for every department (无差别综合受理); callback staff call back; the
//! supervisor watches; the operator may do everything. Pure, so it is tested on its own.

use hall_api::application::Status;
use hall_api::catalog::Catalog;

use crate::store::staff::{Role, StaffAccount};

/// A step a staff member can take on an application page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 受理.
    Accept,
    /// 不予受理 (with the reason).
    Reject,
    /// 补正 (missing materials and a note).
    Correction,
    /// 承办 (assign a handler).
    Assign,
    /// 办结 (result; waybill or window and pick-up code).
    Conclude,
    /// 反馈 (the result was given).
    Feedback,
    /// 回访 (the call back).
    Callback,
}

impl Action {
    /// Every action in loop order.
    pub const ALL: [Action; 7] = [
        Action::Accept,
        Action::Reject,
        Action::Correction,
        Action::Assign,
        Action::Conclude,
        Action::Feedback,
        Action::Callback,
    ];

    /// The path segment of its POST route.
    pub fn slug(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::Correction => "correction",
            Action::Assign => "assign",
            Action::Conclude => "conclude",
            Action::Feedback => "feedback",
            Action::Callback => "callback",
        }
    }

    /// Parses a path segment.
    pub fn from_slug(slug: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.slug() == slug)
    }

    /// The status it moves to.
    pub fn target(self) -> Status {
        match self {
            Action::Accept => Status::Accepted,
            Action::Reject => Status::Rejected,
            Action::Correction => Status::CorrectionRequired,
            Action::Assign => Status::Processing,
            Action::Conclude => Status::Concluded,
            Action::Feedback => Status::Feedback,
            Action::Callback => Status::Revisited,
        }
    }

    /// The button's words.
    pub fn label_zh(self) -> &'static str {
        match self {
            Action::Accept => "受理",
            Action::Reject => "不予受理",
            Action::Correction => "要求补正",
            Action::Assign => "承办",
            Action::Conclude => "办结",
            Action::Feedback => "反馈",
            Action::Callback => "回访",
        }
    }

    /// Whether a role may take this step at all (departments are checked separately).
    pub fn allowed_for(self, role: Role) -> bool {
        match role {
            Role::Operator => true,
            Role::Supervisor => false,
            Role::FrontDesk => matches!(
                self,
                Action::Accept | Action::Reject | Action::Correction | Action::Feedback
            ),
            Role::Reviewer => !matches!(self, Action::Callback),
            Role::Callback => matches!(self, Action::Callback),
        }
    }

    /// The actions a role may take from a status.
    pub fn available(status: Status, role: Role) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| status.can_move_to(a.target()) && a.allowed_for(role))
            .collect()
    }
}

/// The departments an application belongs to: its item's, or every item's of its bundle.
pub fn departments_of(catalog: &Catalog, subject_type: &str, code: &str) -> Vec<String> {
    let mut out: Vec<String> = match subject_type {
        "item" => catalog
            .item(code)
            .map(|i| vec![i.department.clone()])
            .unwrap_or_default(),
        _ => catalog
            .bundle(code)
            .and_then(|b| catalog.bundle_items(b))
            .map(|items| items.iter().map(|i| i.department.clone()).collect())
            .unwrap_or_default(),
    };
    out.sort();
    out.dedup();
    out
}

/// The item and bundle codes that touch any of `departments` (a reviewer's inbox filter).
pub fn subject_codes_for(catalog: &Catalog, departments: &[String]) -> Vec<String> {
    let mine = |d: &String| departments.contains(d);
    let mut codes: Vec<String> = catalog
        .items
        .iter()
        .filter(|i| mine(&i.department))
        .map(|i| i.code.clone())
        .collect();
    for bundle in &catalog.bundles {
        if departments_of(catalog, "bundle", &bundle.code)
            .iter()
            .any(mine)
        {
            codes.push(bundle.code.clone());
        }
    }
    codes
}

/// Whether an account may see an application of these departments.
pub fn may_see(account: &StaffAccount, departments: &[String]) -> bool {
    match account.role {
        Role::Reviewer => departments.iter().any(|d| account.departments.contains(d)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role, departments: &[&str]) -> StaffAccount {
        StaffAccount {
            name: "x".into(),
            display: "x".into(),
            role,
            departments: departments.iter().map(|d| (*d).to_owned()).collect(),
            password_hash: String::new(),
            failed_sign_ins: 0,
            locked_until: None,
            revoked: false,
            must_change_password: false,
        }
    }

    #[test]
    fn a_reviewer_sees_only_their_departments() {
        let r = account(Role::Reviewer, &["renshe"]);
        assert!(may_see(&r, &["renshe".into()]));
        assert!(
            may_see(&r, &["gongan".into(), "renshe".into()]),
            "a bundle touching it"
        );
        assert!(!may_see(&r, &["gongan".into()]));
        assert!(!may_see(&r, &[]));
        assert!(may_see(&account(Role::FrontDesk, &[]), &["gongan".into()]));
    }

    #[test]
    fn roles_take_only_their_steps_and_never_skip_one() {
        use Status::*;
        assert_eq!(
            Action::available(Submitted, Role::FrontDesk),
            vec![Action::Accept, Action::Reject, Action::Correction]
        );
        assert_eq!(
            Action::available(Accepted, Role::FrontDesk),
            vec![Action::Correction]
        );
        assert_eq!(
            Action::available(Accepted, Role::Reviewer),
            vec![Action::Correction, Action::Assign]
        );
        assert_eq!(
            Action::available(Processing, Role::Reviewer),
            vec![Action::Correction, Action::Conclude]
        );
        assert_eq!(Action::available(Feedback, Role::Reviewer), vec![]);
        assert_eq!(
            Action::available(Feedback, Role::Callback),
            vec![Action::Callback]
        );
        assert_eq!(Action::available(Submitted, Role::Supervisor), vec![]);
        assert_eq!(Action::available(Revisited, Role::Operator), vec![]);
        for a in Action::ALL {
            assert_eq!(Action::from_slug(a.slug()), Some(a));
        }
        assert_eq!(Action::from_slug("../x"), None);
    }

    #[test]
    fn the_seed_catalog_maps_items_and_bundles_to_departments() {
        let catalog = crate::seed::catalog();
        let item = &catalog.items[0];
        assert_eq!(
            departments_of(&catalog, "item", &item.code),
            vec![item.department.clone()]
        );
        let codes = subject_codes_for(&catalog, std::slice::from_ref(&item.department));
        assert!(codes.contains(&item.code));
        for other in catalog
            .items
            .iter()
            .filter(|i| i.department != item.department)
        {
            assert!(!codes.contains(&other.code));
        }
        if let Some(b) = catalog.bundles.first() {
            let depts = departments_of(&catalog, "bundle", &b.code);
            assert!(!depts.is_empty());
            assert!(subject_codes_for(&catalog, &depts).contains(&b.code));
        }
        assert!(departments_of(&catalog, "item", "nope").is_empty());
    }
}

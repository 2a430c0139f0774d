//! The inboxes: which statuses (and due dates) each one lists, and which one a role opens on.

use hall_api::application::Status;

use crate::store::staff::Role;

/// One inbox of the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbox {
    /// 已提交: waiting for 受理.
    New,
    /// 受理: waiting for 承办.
    Accepted,
    /// 承办: being handled.
    Processing,
    /// Due within two working days.
    DueSoon,
    /// Past the due date and not concluded.
    Overdue,
    /// 补正: waiting for the citizen.
    Correction,
    /// 办结: waiting for 反馈.
    Concluded,
    /// 反馈: waiting for 回访.
    Callback,
}

impl Inbox {
    /// Every inbox, in the order of the tabs.
    pub const ALL: [Inbox; 8] = [
        Inbox::New,
        Inbox::Accepted,
        Inbox::Processing,
        Inbox::DueSoon,
        Inbox::Overdue,
        Inbox::Correction,
        Inbox::Concluded,
        Inbox::Callback,
    ];

    /// Path segment.
    pub fn slug(self) -> &'static str {
        match self {
            Inbox::New => "new",
            Inbox::Accepted => "accepted",
            Inbox::Processing => "processing",
            Inbox::DueSoon => "due-soon",
            Inbox::Overdue => "overdue",
            Inbox::Correction => "correction",
            Inbox::Concluded => "concluded",
            Inbox::Callback => "callback",
        }
    }

    /// Parses a path segment.
    pub fn from_slug(slug: &str) -> Option<Inbox> {
        Inbox::ALL.into_iter().find(|i| i.slug() == slug)
    }

    /// The tab's words.
    pub fn label_zh(self) -> &'static str {
        match self {
            Inbox::New => "新件（已提交）",
            Inbox::Accepted => "已受理",
            Inbox::Processing => "承办中",
            Inbox::DueSoon => "即将到期",
            Inbox::Overdue => "已超期",
            Inbox::Correction => "待补正",
            Inbox::Concluded => "已办结待反馈",
            Inbox::Callback => "待回访",
        }
    }

    /// The statuses listed.
    pub fn statuses(self) -> Vec<Status> {
        match self {
            Inbox::New => vec![Status::Submitted],
            Inbox::Accepted => vec![Status::Accepted],
            Inbox::Processing => vec![Status::Processing],
            Inbox::DueSoon | Inbox::Overdue => vec![Status::Accepted, Status::Processing],
            Inbox::Correction => vec![Status::CorrectionRequired],
            Inbox::Concluded => vec![Status::Concluded],
            Inbox::Callback => vec![Status::Feedback],
        }
    }

    /// The inbox a role opens on.
    pub fn home(role: Role) -> Inbox {
        match role {
            Role::FrontDesk | Role::Operator => Inbox::New,
            Role::Reviewer => Inbox::Accepted,
            Role::Callback => Inbox::Callback,
            Role::Supervisor => Inbox::Overdue,
        }
    }

    /// The tabs a role sees.
    pub fn tabs(role: Role) -> Vec<Inbox> {
        match role {
            Role::Callback => vec![Inbox::Callback, Inbox::Concluded],
            _ => Inbox::ALL.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_opens_on_one_of_its_tabs_and_slugs_round_trip() {
        for role in Role::ALL {
            assert!(Inbox::tabs(role).contains(&Inbox::home(role)), "{role:?}");
        }
        for i in Inbox::ALL {
            assert_eq!(Inbox::from_slug(i.slug()), Some(i));
            assert!(!i.statuses().is_empty());
        }
        assert_eq!(Inbox::from_slug("x"), None);
    }
}

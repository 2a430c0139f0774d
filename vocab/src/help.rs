//! What kind of help a citizen asks for: the kiosk's session and screens and the hall's API
//! (`POST /api/v1/help-requests`) use this one enum.

use serde::{Deserialize, Serialize};

/// What kind of help a citizen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum HelpKind {
    /// Someone to come to the kiosk now (帮办).
    Assistance,
    /// Someone to do it on the citizen's behalf (代办).
    Proxy,
    /// 上门服务: a home visit.
    HomeVisit,
}

impl HelpKind {
    /// Every kind.
    pub const ALL: [HelpKind; 3] = [HelpKind::Assistance, HelpKind::Proxy, HelpKind::HomeVisit];
}

#[cfg(test)]
mod tests {
    use super::HelpKind;

    #[test]
    fn the_wire_names_are_the_apis() {
        let names: Vec<String> = HelpKind::ALL
            .iter()
            .map(|k| serde_json::to_string(k).unwrap())
            .collect();
        assert_eq!(names, ["\"assistance\"", "\"proxy\"", "\"homeVisit\""]);
    }
}

//! The sheets of a catalog file and their columns. A header cell is the column's key
//! (`code`) or a label ending with the key in brackets (`事项编码 (code)`), so county staff
//! may head their columns in Chinese; the export writes the second form.

/// One column of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The key in the header (`promised_limit_days`).
    pub key: &'static str,
    /// The Chinese label the export writes before the key.
    pub zh: &'static str,
    /// Whether the column must be present (a missing optional column means its default).
    pub required: bool,
}

/// One sheet (or CSV file) of a catalog file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetSpec {
    /// Sheet name (`items`; the CSV file is `items.csv`).
    pub name: &'static str,
    /// What it holds, in Chinese.
    pub zh: &'static str,
    /// Its columns, in the export's order.
    pub columns: &'static [Column],
}

impl SheetSpec {
    /// The index of a column by key.
    pub fn index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

const fn col(key: &'static str, zh: &'static str, required: bool) -> Column {
    Column { key, zh, required }
}

/// `departments`: one row per department.
pub const DEPARTMENTS: SheetSpec = SheetSpec {
    name: "departments",
    zh: "部门",
    columns: &[
        col("code", "部门代码", true),
        col("name", "部门名称", true),
        col("window", "窗口位置", true),
        col("slot_capacity", "每小时预约号数", true),
        col("name_en", "英文名称", false),
    ],
};

/// `items`: one row per service item.
pub const ITEMS: SheetSpec = SheetSpec {
    name: "items",
    zh: "事项",
    columns: &[
        col("code", "事项编码", true),
        col("name", "事项名称", true),
        col("department", "部门代码", true),
        col("kind", "事项类型", true),
        col("summary", "办理条件", true),
        col("fee_fen", "收费（分）", false),
        col("fee_note", "收费依据", false),
        col("legal_limit_days", "法定办结时限（工作日）", false),
        col("promised_limit_days", "承诺办结时限（工作日）", true),
        col("kiosk_completable", "自助机可全程办理", false),
        col("cross_province", "跨省通办", false),
        col("mail_delivery", "免费邮寄", false),
        col("name_en", "英文名称", false),
    ],
};

/// `materials`: one row per material of an item, in the order the citizen sees them.
pub const MATERIALS: SheetSpec = SheetSpec {
    name: "materials",
    zh: "申请材料",
    columns: &[
        col("item", "事项编码", true),
        col("code", "材料代码", true),
        col("name", "材料名称", true),
        col("originals", "原件数", true),
        col("copies", "复印件数", true),
        col("required", "必须提交", true),
        col("reusable", "可复用", false),
        col("note", "备注", false),
        col("satisfied_by_id_card", "读身份证即可", false),
        col("name_en", "英文名称", false),
        col("photographable", "可在本机拍照提交", false),
    ],
};

/// `form_fields`: one row per field of an item's form, in the order the kiosk shows them.
pub const FORM_FIELDS: SheetSpec = SheetSpec {
    name: "form_fields",
    zh: "表单字段",
    columns: &[
        col("item", "事项编码", true),
        col("key", "字段键", true),
        col("label", "字段名称", true),
        col("kind", "字段类型", true),
        col("required", "必填", false),
        col("options", "选项", false),
        col("min_len", "最少字数", false),
        col("max_len", "最多字数", false),
        col("min", "最小值", false),
        col("max", "最大值", false),
        col("integer", "整数", false),
        col("not_future", "不晚于今天", false),
        col("not_past", "不早于今天", false),
        col("must_be_checked", "必须勾选", false),
        col("prefill", "读卡填入", false),
        col("hint", "提示", false),
        col("label_en", "英文字段名称", false),
        col("options_en", "选项英文", false),
    ],
};

/// `bundles`: one row per 一件事 bundle, its member items in processing order.
pub const BUNDLES: SheetSpec = SheetSpec {
    name: "bundles",
    zh: "一件事",
    columns: &[
        col("code", "一件事代码", true),
        col("name", "一件事名称", true),
        col("summary", "说明", true),
        col("items", "包含事项（按办理顺序，分号分隔）", true),
        col("name_en", "英文名称", false),
    ],
};

/// Every sheet, in the export's order. Other sheets in a file (a 说明 sheet) are ignored.
pub const SHEETS: [&SheetSpec; 5] = [&DEPARTMENTS, &ITEMS, &MATERIALS, &FORM_FIELDS, &BUNDLES];

/// The key a header cell names: the whole text, or the key in its last brackets.
pub fn header_key(cell: &str) -> &str {
    let cell = cell.trim();
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(inner) = cell.strip_suffix(close) {
            if let Some(at) = inner.rfind(open) {
                return inner[at + open.len_utf8()..].trim();
            }
        }
    }
    cell
}

/// The header cell the export writes.
pub fn header_cell(column: &Column) -> String {
    format!("{} ({})", column.zh, column.key)
}

/// A spreadsheet column's letters (0 → `A`, 26 → `AA`).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_may_be_keys_or_labelled_keys() {
        assert_eq!(header_key("code"), "code");
        assert_eq!(header_key("事项编码 (code)"), "code");
        assert_eq!(header_key("收费（分）（fee_fen）"), "fee_fen");
        assert_eq!(header_key(&header_cell(&ITEMS.columns[5])), "fee_fen");
    }

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }
}

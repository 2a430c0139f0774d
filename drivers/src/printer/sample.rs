//! Ready-made receipts: the technician's test receipt (`kioskctl printer test`) and a
//! typical citizen receipt with made-up, already masked data (benchmarks, emulator demo).

use super::layout::Receipt;

/// The test receipt: Chinese and English text, a QR code, a barcode, and who the kiosk is.
pub fn test_receipt(kiosk_id: &str, hall_name: &str, connection: &str) -> Receipt {
    test_receipt_at(kiosk_id, hall_name, "", connection)
}

/// [`test_receipt`] with where the kiosk stands (安放位置), so a technician holding the
/// paper knows which kiosk printed it; an empty `location` prints no line for it.
pub fn test_receipt_at(
    kiosk_id: &str,
    hall_name: &str,
    location: &str,
    connection: &str,
) -> Receipt {
    let mut r = Receipt::new();
    r.header(hall_name)
        .title("打印机测试 Printer test")
        .separator()
        .key_value("终端编号 Kiosk", kiosk_id);
    if !location.is_empty() {
        r.key_value("位置 Location", location);
    }
    r.key_value("连接 Port", connection)
        .text("中文：政务服务 一网通办 24小时不打烊")
        .text("English: The quick brown fox jumps over the lazy dog 0123456789")
        .text("生僻字（光栅打印）：䶮 𬱖")
        .separator()
        .qr(format!("KIOSK-TEST:{kiosk_id}"), Some("二维码 QR code"))
        .barcode(format!("T-{kiosk_id}"))
        .footer("如能看清以上内容，打印机工作正常")
        .footer("If you can read all of the above, the printer works.");
    r
}

/// A typical citizen receipt as the kiosk fills it (all data made up and masked).
pub fn typical_receipt() -> Receipt {
    let mut r = Receipt::new();
    r.header("某某县政务服务中心")
        .title("办件受理回执")
        .separator()
        .key_value("办件编号", "3301022026112600123")
        .key_value("申请人", "王*")
        .key_value("证件号码", "3301**********1234")
        .key_value(
            "事项名称",
            "不动产登记（二手房转移登记及水电气网联动过户“一件事”）",
        )
        .key_value("提交时间", "2026-11-26 02:13")
        .key_value("承诺时限", "5个工作日")
        .text("已提交材料：")
        .list(
            [
                "居民身份证（已读取）",
                "不动产权证书原件",
                "房屋买卖合同（网签备案）",
                "完税证明 Tax receipt No. 2026-0099",
            ],
            true,
        )
        .separator()
        .text("申请已送达大厅，工作人员将在工作时间受理。")
        .qr(
            "https://zwfw.example.gov.cn/q?c=3301022026112600123&v=7F3K",
            Some("微信或支付宝扫码查询办理进度"),
        )
        .footer("自助服务区 24小时开放 · 咨询电话 12345")
        .footer("请妥善保管本回执");
    r
}

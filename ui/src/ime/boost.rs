//! Characters and words that go before the GB2312 order: the most common surnames (in order of
//! frequency), the characters of addresses, and common words for names and addresses. Hand-made
//! lists of language facts, kept short on purpose: the kiosk mostly asks for names and addresses.

/// Common surnames, most frequent first.
pub const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

/// Characters of Chinese addresses and very common characters of forms.
pub const ADDRESS_CHARS: &str =
    "省市县区镇乡村街道路号楼室单元栋组社号巷弄小区花园新东西南北中大人民建设解放幢层户门";

/// Common words for addresses and forms, offered when the whole composition spells one.
pub const WORDS: &[&str] = &[
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "新华路",
    "社区",
    "街道",
    "小区",
    "村委会",
    "居委会",
    "单元",
    "花园",
    "县城",
    "城关镇",
    "开发区",
    "工业园",
    "省",
    "市",
    "中国",
    "浙江",
    "江苏",
    "广东",
    "四川",
    "河南",
    "山东",
    "湖南",
    "湖北",
    "安徽",
    "福建",
    "江西",
    "北京",
    "上海",
];

//! English names for the seed catalog, for the kiosk's English mode: plain words a foreign
//! resident understands, not pinyin, one term per concept ("household registration",
//! "social security card", "medical insurance", "housing provident fund"). Items, bundles
//! and materials by code; form labels and select options by their Chinese label (the same
//! label reads the same in every item).

use hall_api::catalog::Catalog;
use hall_api::form::FieldKind;

const DEPARTMENTS: &[(&str, &str)] = &[
    (
        "gongan",
        "County Public Security Bureau (household registration, exit-entry)",
    ),
    ("shuiwu", "County Tax Bureau"),
    ("budongchan", "County Real Estate Registration Center"),
    ("shichang", "County Market Regulation Bureau"),
    (
        "renshe",
        "County Human Resources and Social Security Bureau",
    ),
    ("yibao", "County Medical Insurance Bureau"),
    (
        "minzheng",
        "County Civil Affairs Bureau (marriage, social assistance)",
    ),
    ("weijian", "County Health Commission"),
    ("jiaoyu", "County Education Bureau"),
    ("tuiyi", "County Veterans Affairs Bureau"),
    ("canlian", "County Disabled Persons' Federation"),
    ("gongjijin", "Housing Provident Fund Center (county office)"),
    ("gongdian", "County Power Supply Company"),
    ("gongshui", "County Water Company"),
    ("ranqi", "County Gas Company"),
];

const ITEMS: &[(&str, &str)] = &[
    ("QR-000172-001", "ID card renewal"),
    ("QR-000172-002", "Replacement of a lost ID card"),
    ("QR-000172-010", "Temporary ID card"),
    ("QR-000173-003", "Household registration of a newborn"),
    ("QR-000173-011", "Household registration certificate"),
    ("QT-000175-001", "Company seal registration"),
    ("GG-000245-001", "Social security card application"),
    (
        "GG-000245-003",
        "Social security card: report loss or replace",
    ),
    ("QR-000246-004", "Retirement application (employees)"),
    (
        "JF-000246-010",
        "Basic pension for urban and rural residents",
    ),
    ("JF-000247-001", "Unemployment benefit claim"),
    ("GG-000258-001", "Residents' medical insurance enrolment"),
    (
        "GG-000258-005",
        "Medical treatment in another city: registration",
    ),
    ("JF-000259-002", "Retiree medical insurance benefits"),
    (
        "JF-000259-006",
        "Medical expense reimbursement (paid in advance)",
    ),
    ("QR-000201-001", "Marriage registration (by appointment)"),
    ("JF-000202-003", "Minimum living allowance application"),
    ("JF-000203-001", "Old-age allowance (80 and over)"),
    (
        "JF-000204-002",
        "Living allowance for disabled people in hardship",
    ),
    ("GG-000311-001", "Birth medical certificate (first issue)"),
    ("GG-000312-004", "Vaccination certificate"),
    (
        "QT-000133-001",
        "New taxpayer package (registration, invoice types)",
    ),
    ("GG-000133-005", "Individual income tax record"),
    ("QT-000134-002", "VAT invoice issued for an individual"),
    ("QT-000135-001", "Deed tax return"),
    (
        "QR-000128-001",
        "First registration of real estate (new home)",
    ),
    (
        "QR-000128-004",
        "Real estate transfer (second-hand home sale)",
    ),
    ("QR-000128-009", "Mortgage registration"),
    (
        "GG-000129-001",
        "Real estate records search (proof of ownership)",
    ),
    (
        "XK-000110-001",
        "Company registration (limited liability company)",
    ),
    ("XK-000110-008", "Sole trader registration"),
    (
        "XK-000111-002",
        "Food business filing (pre-packaged food only)",
    ),
    (
        "QT-000112-003",
        "Company change (address, business scope, legal representative)",
    ),
    ("GG-000401-001", "School enrolment (compulsory education)"),
    (
        "GG-000312-006",
        "Vaccination record check for school or nursery",
    ),
    ("GG-000313-001", "Medical certificate of death"),
    (
        "GG-000314-001",
        "Childbirth registration (for maternity services)",
    ),
    ("GG-000248-001", "Employment registration"),
    ("GG-000248-003", "Unemployment registration"),
    ("GG-000248-005", "Employer's hiring record"),
    ("GG-000249-002", "Adding employees to social insurance"),
    ("GG-000249-004", "Employer social insurance details change"),
    ("GG-000249-006", "Employer social insurance deregistration"),
    ("GG-000249-008", "Pension insurance transfer"),
    ("JF-000246-015", "Funeral grant and survivor benefit"),
    ("GG-000245-006", "Social security card cancellation"),
    (
        "GG-000258-003",
        "Employee medical insurance enrolment (new staff)",
    ),
    ("GG-000258-007", "Medical insurance transfer"),
    (
        "GG-000501-001",
        "Housing provident fund: employer registration",
    ),
    ("GG-000501-002", "Housing provident fund: personal account"),
    (
        "JF-000502-001",
        "Housing provident fund withdrawal (home purchase, retirement, death)",
    ),
    (
        "QR-000173-020",
        "Cancelling the household registration of a deceased person",
    ),
    (
        "QR-000173-015",
        "Household registration for discharged soldiers",
    ),
    (
        "QR-000173-025",
        "Household registration change (marital status)",
    ),
    ("JF-000205-001", "Basic funeral service fee waiver"),
    (
        "JF-000204-003",
        "Care allowance for severely disabled people",
    ),
    ("QR-000701-001", "Disability certificate (first issue)"),
    ("QR-000601-001", "Veteran check-in and registration"),
    ("GG-000601-005", "Veteran preferential treatment card"),
    (
        "QT-000136-001",
        "Tax deregistration (tax clearance certificate)",
    ),
    ("QT-000136-004", "Tax registration details change"),
    ("QT-000112-010", "Company deregistration"),
    (
        "QR-000128-006",
        "Transfer registration of a newly built home",
    ),
    (
        "GG-000801-001",
        "Electricity connection (homes and small businesses)",
    ),
    (
        "GG-000801-004",
        "Electricity account transfer to a new name",
    ),
    ("GG-000802-001", "Water connection"),
    ("GG-000802-004", "Water account transfer to a new name"),
    ("GG-000803-001", "Piped gas connection"),
    ("GG-000803-004", "Gas account transfer to a new name"),
];

const BUNDLES: &[(&str, &str)] = &[
    ("yjs-xinshenger", "A new baby: all in one visit"),
    ("yjs-kaibanqiye", "Starting a company: all in one visit"),
    ("yjs-tuixiu", "Retirement: all in one visit"),
    (
        "yjs-canji",
        "Services for disabled people: all in one visit",
    ),
    (
        "yjs-xinshengerluohu",
        "Registering a new baby's household: all in one visit",
    ),
    ("yjs-ruxue", "Starting school: all in one visit"),
    ("yjs-jiuye", "Starting a job: all in one visit"),
    ("yjs-yuangongzhaopin", "Hiring staff: all in one visit"),
    ("yjs-shiye", "Losing a job: all in one visit"),
    ("yjs-jiehun", "Getting married: all in one visit"),
    ("yjs-shenhou", "After a death: all in one visit"),
    ("yjs-zhuxiaoqiye", "Closing a company: all in one visit"),
    (
        "yjs-qiyebiangeng",
        "Changing company details: all in one visit",
    ),
    (
        "yjs-budongchanjiaoyi",
        "Real estate purchase registration: all in one visit",
    ),
    (
        "yjs-ershoufang",
        "Second-hand home transfer with water, power and gas: all in one visit",
    ),
    (
        "yjs-shuidianqi",
        "Water, power and gas connection: all in one visit",
    ),
    ("yjs-junrentuiyi", "Leaving the military: all in one visit"),
    (
        "yjs-canjirenzheng",
        "Disability certificate: all in one visit",
    ),
    (
        "yjs-getikaiye",
        "Opening a sole trader business: all in one visit",
    ),
    (
        "yjs-laonianren",
        "Services for older people: all in one visit",
    ),
    ("yjs-shehuijiuzhu", "Social assistance: all in one visit"),
    (
        "yjs-jiuyi",
        "Medical treatment in another city: all in one visit",
    ),
];

const MATERIALS: &[(&str, &str)] = &[
    ("sfz", "Resident ID card"),
    ("hukoubu", "Household register (hukou booklet)"),
    (
        "photo",
        "Recent ID photo, white background (digital receipt)",
    ),
    ("chushengyixue", "Birth medical certificate"),
    ("jiehunzheng", "Parents' marriage certificate"),
    ("fumusfz", "Parents' ID cards"),
    ("yingyezhizhao", "Business licence"),
    ("weituoshu", "Letter of authorisation"),
    ("dangan", "Personal employment file"),
    ("tuixiushenpibiao", "Employee retirement approval form"),
    ("yinhangka", "Your social security card or bank card"),
    ("jiechuhetong", "Proof the employment contract ended"),
    (
        "changzhuzhengming",
        "Proof of living or working in another city",
    ),
    (
        "tuixiuzheng",
        "Retirement approval form or retirement certificate",
    ),
    ("fapiao", "Medical receipts"),
    ("feiyongqingdan", "Itemised list of charges"),
    (
        "chuyuanxiaojie",
        "Hospital discharge summary (for inpatient stays)",
    ),
    ("photo2", "Couple's recent 2-inch photos together"),
    ("shouruzhengming", "Statement of household income"),
    ("hedui", "Authorisation to check household finances"),
    ("canjirenzheng", "Disability certificate"),
    ("hetong", "Contract or agreement"),
    (
        "goufanghetong",
        "Home purchase contract (registered online)",
    ),
    ("goufangfapiao", "Home purchase invoice"),
    ("wanshuipingzheng", "Deed tax payment receipt"),
    ("budongchanzheng", "Real estate title certificate"),
    ("diyahetong", "Mortgage contract and loan contract"),
    ("shenqingshu", "Company registration application form"),
    ("gongsizhangcheng", "Articles of association"),
    ("zhusuo", "Proof of the right to use the registered address"),
    ("gudongzhuti", "Shareholders' identity documents"),
    (
        "renzhiwenjian",
        "Appointment papers of the legal representative, directors and managers",
    ),
    (
        "jingyingchangsuo",
        "Proof of the right to use the business premises",
    ),
    ("jueyi", "Shareholders' resolution or decision"),
    ("fangchan", "Proof of home ownership or residence"),
    ("jiezhongchayan", "Vaccination record check certificate"),
    ("jiezhongzheng", "Vaccination certificate"),
    ("shizhe_sfz", "ID card of the deceased"),
    (
        "diaochaqingkuang",
        "Death investigation record or police station certificate",
    ),
    ("benrenjiehunzheng", "Marriage certificate"),
    ("laodonghetong", "Employment contract"),
    ("biangengtongzhi", "Notice of registration change"),
    (
        "zhongzhiwenjian",
        "Resolution or approval to close the business",
    ),
    ("canbaopingzheng", "Social insurance payment record"),
    ("siwangzhengming", "Medical certificate of death"),
    ("qinshuguanxi", "Proof of family relationship"),
    ("yibaopingzheng", "Medical insurance enrolment record"),
    ("tiqupingzheng", "Proof of the reason for withdrawal"),
    ("tuiyizheng", "Military discharge certificate"),
    ("luhujieshaoxin", "Household registration referral letter"),
    ("huohuazhengming", "Cremation certificate"),
    ("zhaopian", "Recent 2-inch colour photo, white background"),
    ("canjipingding", "Disability assessment form"),
    ("anzhiwenjian", "Resettlement referral letter"),
    ("fapiaojiaoxiao", "List of cancelled invoices"),
    ("zhuxiaoshenqing", "Company deregistration application form"),
    (
        "qingsuanbaogao",
        "Liquidation report or investors' undertaking",
    ),
    ("qingshuizhengming", "Tax clearance certificate"),
    (
        "jiaofeiqingdan",
        "Proof the previous account holder paid all bills",
    ),
];

/// Form labels by their Chinese label.
const LABELS: &[(&str, &str)] = &[
    ("丢失日期", "Date lost"),
    ("个体户名称（可不填）", "Business name (optional)"),
    ("企业名称", "Company name"),
    ("企业（字号）名称", "Company (trade) name"),
    ("住所（经营场所）", "Registered address (business premises)"),
    ("儿童公民身份号码", "Child's ID number"),
    ("儿童姓名", "Child's name"),
    ("入学阶段", "School level"),
    ("入职日期", "Start date of employment"),
    ("公民身份号码", "ID number"),
    ("养老金发放银行", "Bank for pension payments"),
    ("出卖人姓名", "Seller's name"),
    ("出生医院", "Hospital of birth"),
    ("出生日期", "Date of birth"),
    ("刻制印章枚数", "Number of seals"),
    (
        "医保实际缴费年限（年）",
        "Years of medical insurance contributions",
    ),
    ("原工作单位", "Previous employer"),
    ("原户号", "Current account number"),
    ("参保人公民身份号码", "Insured person's ID number"),
    ("参保单位名称", "Insuring employer"),
    ("参保起始日期", "Insurance start date"),
    ("发票种类", "Invoice type"),
    ("受票方名称", "Invoice recipient"),
    ("变更事项", "What changes"),
    ("变更后婚姻状况", "New marital status"),
    ("另一方公民身份号码", "Partner's ID number"),
    ("另一方姓名", "Partner's name"),
    ("备案类型", "Registration type"),
    ("失业日期", "Date of unemployment"),
    ("安置方式", "Type of resettlement"),
    ("实际居住地址", "Address where you live"),
    ("家庭人口数", "Household size"),
    ("家庭住址", "Home address"),
    ("家庭月总收入（元）", "Household monthly income (yuan)"),
    ("就医地（省市）", "Place of treatment (province, city)"),
    ("居住地址", "Residential address"),
    ("常住地址", "Permanent address"),
    ("建筑面积（平方米）", "Floor area (m²)"),
    ("截止年度", "To year"),
    ("户籍地址", "Registered household address"),
    ("房屋坐落", "Property address"),
    ("报销金额（元）", "Amount to reimburse (yuan)"),
    ("抵押权人（银行）", "Mortgage lender (bank)"),
    ("换领原因", "Reason for renewal"),
    ("提取原因", "Reason for withdrawal"),
    ("收款银行账号", "Bank account for payment"),
    ("新生儿姓名", "Baby's name"),
    ("新生儿性别", "Baby's sex"),
    (
        "本人承诺所填信息及所交材料真实有效",
        "I declare the information and materials I give are true",
    ),
    ("本次招用人数", "Number of people hired"),
    ("本次生育子女孩次", "Birth order of this child"),
    ("查询用途", "Purpose of the search"),
    ("死亡日期", "Date of death"),
    ("残疾类别", "Type of disability"),
    ("注册资本（万元）", "Registered capital (10,000 yuan)"),
    ("注销程序", "Deregistration procedure"),
    ("用人单位名称", "Employer name"),
    ("用气用途", "Gas use"),
    ("用水用途", "Water use"),
    ("用电用途", "Electricity use"),
    ("申请人与逝者关系", "Your relationship to the deceased"),
    ("申请人姓名", "Applicant's name"),
    ("离职日期", "Date you left the job"),
    ("经营场所", "Business premises"),
    ("经营范围", "Business scope"),
    ("统一社会信用代码", "Unified social credit code"),
    ("缴存职工人数", "Number of contributing employees"),
    ("联系电话", "Phone number"),
    ("落户地址", "Address to register the household"),
    ("补换原因", "Reason for replacement"),
    ("被担保主债权数额（元）", "Secured loan amount (yuan)"),
    ("证明用途", "Purpose of the certificate"),
    ("起始年度", "From year"),
    (
        "转出地（省、市、县）",
        "Transferring from (province, city, county)",
    ),
    ("退役日期", "Date of discharge"),
    ("逝者公民身份号码", "ID number of the deceased"),
    ("逝者姓名", "Name of the deceased"),
    ("配偶公民身份号码", "Spouse's ID number"),
    ("配偶姓名", "Spouse's name"),
    ("金额（元）", "Amount (yuan)"),
    ("随父或随母落户", "Register with father or mother"),
];

/// Select options by their Chinese label.
const OPTIONS: &[(&str, &str)] = &[
    ("一般注销", "Standard deregistration"),
    ("简易注销", "Simplified deregistration"),
    ("丢失", "Lost"),
    ("损坏", "Damaged"),
    ("证件损坏", "Card damaged"),
    ("有效期满", "Expired"),
    ("登记项目变更", "Registered details changed"),
    ("丧偶", "Widowed"),
    ("已婚", "Married"),
    ("离婚", "Divorced"),
    ("供养", "State support"),
    ("其他近亲属", "Other close relative"),
    ("子女", "Child"),
    ("父母", "Parent"),
    ("配偶", "Spouse"),
    ("随父", "With the father"),
    ("随母", "With the mother"),
    ("中国银行", "Bank of China"),
    ("农业银行", "Agricultural Bank of China"),
    ("农商银行", "Rural Commercial Bank"),
    ("工商银行", "Industrial and Commercial Bank of China"),
    ("建设银行", "China Construction Bank"),
    ("住所", "Registered address"),
    ("经营范围", "Business scope"),
    ("法定代表人", "Legal representative"),
    ("初中一年级", "Junior high school, first year"),
    ("小学一年级", "Primary school, first year"),
    ("听力", "Hearing"),
    ("视力", "Vision"),
    ("言语", "Speech"),
    ("肢体", "Physical"),
    ("智力", "Intellectual"),
    ("精神", "Mental"),
    ("多重", "Multiple"),
    ("男", "Male"),
    ("女", "Female"),
    ("安排工作", "Assigned a job"),
    ("自主就业", "Finding own employment"),
    ("退休", "Retirement"),
    ("居民生活", "Household use"),
    ("经营", "Business use"),
    ("常驻异地工作", "Working in another city"),
    ("异地长期居住", "Living in another city long-term"),
    ("转诊就医", "Referred for treatment"),
    ("数电发票", "Digital e-invoice"),
    ("纸质发票", "Paper invoice"),
    ("离休退休", "Retirement"),
    ("职工死亡", "Death of the employee"),
    ("购买自住住房", "Buying a home to live in"),
];

fn lookup(table: &[(&str, &str)], key: &str) -> Option<String> {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, en)| (*en).to_owned())
}

/// Fills in the English names and labels of the seed catalog.
pub fn apply(c: &mut Catalog) {
    for d in &mut c.departments {
        d.name_en = lookup(DEPARTMENTS, &d.code);
    }
    for b in &mut c.bundles {
        b.name_en = lookup(BUNDLES, &b.code);
    }
    for i in &mut c.items {
        i.name_en = lookup(ITEMS, &i.code);
        for m in &mut i.materials {
            m.name_en = lookup(MATERIALS, &m.code);
        }
        for f in &mut i.form.fields {
            f.label_en = lookup(LABELS, &f.label);
            if let FieldKind::Select { options } = &mut f.kind {
                for o in options {
                    o.label_en = lookup(OPTIONS, &o.label);
                }
            }
        }
    }
}

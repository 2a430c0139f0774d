//! 自助打印's view model: the stage, the message (prompt or problem), whose documents, and the
//! documents with their copies left.

/// Where 自助打印 is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrintsStage {
    /// Place the ID card or scan the receipt.
    #[default]
    Waiting,
    /// Asking the hall.
    Loading,
    /// The documents: pick one.
    List,
    /// Printing one.
    Printing,
    /// Printed: take it.
    Printed,
    /// What went wrong and what to do.
    Problem,
}

/// One result document on the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintRowVm {
    /// The hall's id (what `PrintDocument` takes).
    pub id: String,
    /// The document's title.
    pub title: String,
    /// The item or bundle it is the result of.
    pub item: String,
    /// When staff attached it (local date).
    pub date: String,
    /// Copies left, worded ("可打印 2 份").
    pub copies: String,
}

/// The 自助打印 screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintsVm {
    /// The stage.
    pub stage: PrintsStage,
    /// The prompt, or the problem with what to do.
    pub message: String,
    /// Whose documents, masked ("身份证 1101**********002X", "回执 LA…").
    pub who: String,
    /// The documents with copies left.
    pub documents: Vec<PrintRowVm>,
    /// A lookup can be asked again by the card already read.
    pub can_retry: bool,
}

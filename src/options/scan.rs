//! Reads the option declarations out of a NixOS-style module's source text, without
//! evaluating it (nixpkgs is not needed): the bindings under an `options` attribute whose value
//! is a `mkOption`-family call, with the options of submodules declared inline or through a
//! `let` binding of the same file (`attrsOf` adds a `<name>` segment, `listOf` a `*`).
//!
//! What an option's type says about the values below it is kept as its [`Kind`].

use std::collections::BTreeMap;

/// A declared option: its path and what may be set below it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Declared {
    pub path: Vec<String>,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Only declared sub-options (if any) may be set below it.
    Closed,
    /// Anything may be set below it: a freeform submodule, `attrs`, `attrsOf` a plain type,
    /// a settings format's type.
    Open,
    /// Its value is a whole configuration of the same module system (an `extendModules`
    /// variant such as `virtualisation.vmVariantWithDisko`).
    Configuration,
}

const DECLARERS: [&str; 5] = [
    "mkOption",
    "mkEnableOption",
    "mkPackageOption",
    "mkPackageOptionMD",
    "mkSinkUndeclaredOptions",
];

/// Type constructors that let anything be set below an option.
const OPEN_TYPES: [&str; 9] = [
    "freeformType",
    "attrs",
    "anything",
    "raw",
    "unspecified",
    "deferredModule",
    "json",
    "toml",
    "yaml",
];

/// Every option `source` declares, sorted.
pub fn declarations(source: &str) -> Vec<Declared> {
    scan(source).resolve()
}

/// Every options tree in `source`, also those held by `let` bindings that no option of the
/// file uses: for a library of submodule types (disko's `lib/default.nix`).
pub fn declarations_anywhere(source: &str) -> Vec<Declared> {
    let scanner = scan(source);
    let mut out: Vec<Declared> = scanner
        .lets
        .values()
        .flat_map(|held| held.decls.clone())
        .collect();
    out.extend(scanner.resolve());
    out.sort();
    out.dedup();
    out
}

/// Why a source text is no Nix the scanner can read through: a string, a comment or a
/// bracket left open (a file cut short), or a bracket that closes nothing or the wrong one.
/// Lines count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("line {line}: the {what} that starts there is not closed")]
    Open { line: usize, what: &'static str },
    #[error("line {line}: `{open}` is not closed")]
    Unclosed { line: usize, open: &'static str },
    #[error("line {line}: `{close}` closes nothing")]
    Unopened { line: usize, close: &'static str },
    #[error("line {line}: `{close}` closes the `{open}` of line {opened}")]
    Mismatched {
        line: usize,
        close: &'static str,
        open: &'static str,
        opened: usize,
    },
}

/// Whether `source` is whole: its strings and comments closed, its brackets (`{`, `${`,
/// `[`, `(`) closed in order. [`declarations`] reads any text; one that is not whole would
/// give part of what it declares.
pub fn malformed(source: &str) -> Option<Malformed> {
    let lexed = lex(source);
    let line = |at: usize| {
        lexed.chars[..at.min(lexed.chars.len())]
            .iter()
            .filter(|c| **c == '\n')
            .count()
            + 1
    };
    let mut open: Vec<(&'static str, usize)> = Vec::new();
    for (tok, &start) in lexed.tokens.iter().zip(&lexed.starts) {
        let Tok::Punct(punct) = tok else { continue };
        match *punct {
            "{" | "${" | "[" | "(" => open.push((punct, start)),
            "}" | "]" | ")" => {
                let Some((opener, opened)) = open.pop() else {
                    return Some(Malformed::Unopened {
                        line: line(start),
                        close: punct,
                    });
                };
                let closer = match opener {
                    "[" => "]",
                    "(" => ")",
                    _ => "}",
                };
                if closer != *punct {
                    return Some(Malformed::Mismatched {
                        line: line(start),
                        close: punct,
                        open: opener,
                        opened: line(opened),
                    });
                }
            }
            _ => {}
        }
    }
    if let Some((at, what)) = lexed.open {
        return Some(Malformed::Open {
            line: line(at),
            what,
        });
    }
    open.pop().map(|(opener, at)| Malformed::Unclosed {
        line: line(at),
        open: opener,
    })
}

fn scan(source: &str) -> Scanner {
    let tokens = tokenize(source);
    let mut scanner = Scanner {
        tokens,
        pos: 0,
        top: Vec::new(),
        lets: BTreeMap::new(),
        refs: Vec::new(),
    };
    let ctx = Ctx {
        owner: None,
        base: Vec::new(),
        segs: Vec::new(),
    };
    while scanner.pos < scanner.tokens.len() {
        scanner.expr(&ctx);
        // A stray closer at the top level: step over it.
        scanner.pos += 1;
    }
    scanner
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A string; its text when it has no interpolation.
    Str(Option<String>),
    Punct(&'static str),
    Other,
}

fn tokenize(source: &str) -> Vec<Tok> {
    lex(source).tokens
}

/// The tokens of a source text, where each starts (in characters), and the first string or
/// comment left open at the end, if any.
struct Lexed {
    chars: Vec<char>,
    tokens: Vec<Tok>,
    starts: Vec<usize>,
    open: Option<(usize, &'static str)>,
}

fn lex(source: &str) -> Lexed {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut starts = Vec::new();
    let mut open = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            if i + 1 >= chars.len() {
                open = open.or(Some((start, "comment `/*`")));
            }
            i += 2;
        } else if c == '"' {
            let (end, text, closed) = plain_string(&chars, i + 1);
            if !closed {
                open = open.or(Some((start, "string `\"`")));
            }
            tokens.push(Tok::Str(text));
            i = end;
        } else if c == '\'' && next == Some('\'') {
            let (end, closed) = indented_string(&chars, i + 2);
            if !closed {
                open = open.or(Some((start, "string `''`")));
            }
            i = end;
            tokens.push(Tok::Str(None));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '\'' | '-'))
            {
                i += 1;
            }
            // `foo/bar` and `foo:bar` (a URL) are not identifiers.
            if chars.get(i) == Some(&'/') && chars.get(i + 1).is_some_and(|c| !c.is_whitespace()) {
                i = skip_path(&chars, i);
                tokens.push(Tok::Other);
            } else {
                tokens.push(Tok::Ident(chars[start..i].iter().collect()));
            }
        } else if (c == '.' || c == '~')
            && (next == Some('/') || (next == Some('.') && chars.get(i + 2) == Some(&'/')))
        {
            i = skip_path(&chars, i);
            tokens.push(Tok::Other);
        } else if c == '.' && next == Some('.') && chars.get(i + 2) == Some(&'.') {
            i += 3;
            tokens.push(Tok::Other);
        } else if c == '$' && next == Some('{') {
            tokens.push(Tok::Punct("${"));
            i += 2;
        } else if c == '<'
            && next.is_some_and(|n| n.is_ascii_alphabetic())
            && is_search_path(&chars, i)
        {
            while chars[i] != '>' {
                i += 1;
            }
            i += 1;
            tokens.push(Tok::Other);
        } else {
            let punct = match c {
                '{' => Some("{"),
                '}' => Some("}"),
                '[' => Some("["),
                ']' => Some("]"),
                '(' => Some("("),
                ')' => Some(")"),
                ';' => Some(";"),
                '=' if next != Some('=') => Some("="),
                '.' => Some("."),
                ':' => Some(":"),
                '@' => Some("@"),
                ',' => Some(","),
                '?' => Some("?"),
                _ => None,
            };
            match punct {
                Some(p) => tokens.push(Tok::Punct(p)),
                None => {
                    // `==`, `//`, `++`, `->`, numbers: nothing the scanner needs.
                    if c == '=' {
                        i += 1;
                    }
                    tokens.push(Tok::Other);
                }
            }
            i += 1;
        }
        // One token at most per step, starting where the step did.
        starts.resize(tokens.len(), start);
    }
    Lexed {
        chars,
        tokens,
        starts,
        open,
    }
}

fn is_search_path(chars: &[char], start: usize) -> bool {
    chars[start + 1..]
        .iter()
        .take_while(|c| !c.is_whitespace())
        .position(|c| *c == '>')
        .is_some()
}

fn skip_path(chars: &[char], mut i: usize) -> usize {
    while i < chars.len()
        && !chars[i].is_whitespace()
        && !matches!(chars[i], ';' | ')' | ']' | '}' | '{' | '(' | '[' | '"')
    {
        i += 1;
    }
    i
}

/// Past the closing quote of a "..." string starting at `i`, its text when plain, and
/// whether it is closed (rather than running to the end).
fn plain_string(chars: &[char], mut i: usize) -> (usize, Option<String>, bool) {
    let mut text = String::new();
    let mut plain = true;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if let Some(c) = chars.get(i + 1) {
                    text.push(*c);
                }
                i += 2;
            }
            '"' => return (i + 1, plain.then_some(text), true),
            '$' if chars.get(i + 1) == Some(&'{') => {
                plain = false;
                i = skip_interpolation(chars, i + 2).0;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    (i, None, false)
}

/// Past the closing `''` of an indented string whose body starts at `i`, and whether it is
/// closed.
fn indented_string(chars: &[char], mut i: usize) -> (usize, bool) {
    while i < chars.len() {
        if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
            match chars.get(i + 2) {
                Some('\'') | Some('$') => i += 3,
                Some('\\') => i += 4,
                _ => return (i + 2, true),
            }
        } else if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            i = skip_interpolation(chars, i + 2).0;
        } else {
            i += 1;
        }
    }
    (i, false)
}

/// Past the `}` that closes an interpolation whose body starts at `i`, and whether it is
/// closed.
fn skip_interpolation(chars: &[char], mut i: usize) -> (usize, bool) {
    let mut depth = 1;
    while i < chars.len() {
        match chars[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (i + 1, true);
                }
            }
            '"' => {
                i = plain_string(chars, i + 1).0;
                continue;
            }
            '\'' if chars.get(i + 1) == Some(&'\'') => {
                i = indented_string(chars, i + 2).0;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (i, false)
}

/// A segment of where a binding sits: an attribute name, or the `options` attribute that
/// starts an options tree.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Name(String),
    Options,
}

/// The option whose declaration is being read.
#[derive(Debug, Clone)]
struct Opt {
    path: Vec<String>,
    wildcard: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct Ctx {
    /// The `let` binding the text belongs to, if any.
    owner: Option<String>,
    /// The option path the segments below are relative to.
    base: Vec<String>,
    segs: Vec<Seg>,
}

#[derive(Debug, Default)]
struct Let {
    /// The binding is itself an option (`foo = mkOption ...`).
    option: Option<Kind>,
    /// Its value is an `extendModules` result.
    extends: bool,
    decls: Vec<Declared>,
}

/// An identifier seen inside the declaration of an option: maybe a `let` binding that
/// holds the options of a submodule.
#[derive(Debug)]
struct Ref {
    owner: Option<String>,
    at: Vec<String>,
    name: String,
    /// The option is exactly the binding (`swap = swapType;`), not a submodule of it.
    whole: bool,
}

struct Scanner {
    tokens: Vec<Tok>,
    pos: usize,
    top: Vec<Declared>,
    lets: BTreeMap<String, Let>,
    refs: Vec<Ref>,
}

impl Scanner {
    /// For a loop over statements: steps over the token at the position if the loop's last
    /// turn started there too, which would repeat forever (a stray closer, as in
    /// `(mkEnableOption "x") // { default = true; }`, where the option ends at the `)`).
    fn progress(&mut self, last: &mut Option<usize>) {
        if *last == Some(self.pos) {
            self.pos += 1;
        }
        *last = Some(self.pos);
    }

    /// The tokens from the position on (none past the end).
    fn rest(&self) -> &[Tok] {
        self.tokens.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn peek_at(&self, offset: usize) -> Option<&Tok> {
        self.tokens.get(self.pos + offset)
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    /// One expression, up to (not past) a `;`, `,` or a closer at its own level.
    fn expr(&mut self, ctx: &Ctx) {
        while let Some(tok) = self.peek().cloned() {
            match tok {
                Tok::Punct(";" | "}" | "]" | ")" | ",") => return,
                Tok::Punct("{") => {
                    if self.is_pattern() {
                        self.skip_group();
                    } else {
                        self.pos += 1;
                        self.bindings(ctx, "}");
                    }
                }
                Tok::Punct("${") => {
                    self.pos += 1;
                    self.expr(ctx);
                    self.pos += 1;
                }
                Tok::Punct("[") => self.group(ctx, "]"),
                Tok::Punct("(") => self.group(ctx, ")"),
                Tok::Ident(word) if word == "let" => {
                    self.pos += 1;
                    self.let_bindings();
                }
                _ => self.pos += 1,
            }
        }
    }

    /// `{ a, b ? 1, ... }:` or `{ ... }@args:` rather than an attribute set.
    fn is_pattern(&self) -> bool {
        let mut depth = 0;
        for (offset, tok) in self.rest().iter().enumerate() {
            match tok {
                Tok::Punct("{") | Tok::Punct("${") => depth += 1,
                Tok::Punct("}") => {
                    depth -= 1;
                    if depth == 0 {
                        return matches!(
                            self.peek_at(offset + 1),
                            Some(Tok::Punct(":")) | Some(Tok::Punct("@"))
                        );
                    }
                }
                Tok::Punct("=") | Tok::Punct(";") if depth == 1 => return false,
                _ => {}
            }
        }
        false
    }

    /// A list or a parenthesised expression, from its opening token past `close`: each
    /// element is read as an expression, since a module may declare options inside one.
    fn group(&mut self, ctx: &Ctx, close: &str) {
        self.pos += 1;
        while self.peek().is_some() && !self.is_punct(close) {
            self.expr(ctx);
            if !self.is_punct(close) {
                self.pos += 1;
            }
        }
        self.pos += 1;
    }

    fn skip_group(&mut self) {
        let mut depth = 0;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Punct("{") | Tok::Punct("${") | Tok::Punct("[") | Tok::Punct("(") => {
                    depth += 1
                }
                Tok::Punct("}") | Tok::Punct("]") | Tok::Punct(")") => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn let_bindings(&mut self) {
        let mut last = None;
        loop {
            self.progress(&mut last);
            match self.peek() {
                None => return,
                Some(Tok::Ident(word)) if word == "in" => {
                    self.pos += 1;
                    return;
                }
                _ => {}
            }
            let Some(path) = self.attrpath() else {
                self.skip_statement();
                continue;
            };
            let name = path.join(".");
            let let_ctx = Ctx {
                owner: Some(name.clone()),
                base: Vec::new(),
                segs: Vec::new(),
            };
            // `extendModules { ... }` or `config.extendModules { ... }`.
            let extends = self
                .rest()
                .iter()
                .take(3)
                .any(|t| matches!(t, Tok::Ident(w) if w == "extendModules"));
            self.lets.entry(name.clone()).or_default().extends |= extends;
            if let Some(kind_start) = self.declarer() {
                self.pos = kind_start;
                let opt = Opt {
                    path: Vec::new(),
                    wildcard: None,
                };
                let kind = self.option_body(&let_ctx, opt);
                self.lets.entry(name).or_default().option = Some(kind);
            } else {
                self.expr(&let_ctx);
            }
            self.end_statement();
        }
    }

    fn bindings(&mut self, ctx: &Ctx, close: &str) {
        let mut last = None;
        loop {
            self.progress(&mut last);
            match self.peek() {
                None => return,
                Some(Tok::Punct(p)) if *p == close => {
                    self.pos += 1;
                    return;
                }
                Some(Tok::Ident(word)) if word == "inherit" => {
                    self.skip_statement();
                    continue;
                }
                _ => {}
            }
            let Some(path) = self.attrpath() else {
                self.skip_statement();
                continue;
            };
            let declares = self.declarer();
            let mut segs = ctx.segs.clone();
            let last = path.len() - 1;
            for (index, name) in path.iter().enumerate() {
                let final_option = index == last && declares.is_some();
                segs.push(if name == "options" && !final_option {
                    Seg::Options
                } else {
                    Seg::Name(name.clone())
                });
            }
            let child = Ctx {
                owner: ctx.owner.clone(),
                base: ctx.base.clone(),
                segs: segs.clone(),
            };
            match (declares, option_path(&ctx.base, &segs)) {
                (Some(start), Some(full)) => {
                    self.pos = start;
                    let opt = Opt {
                        path: full.clone(),
                        wildcard: None,
                    };
                    let kind = self.option_body(&child, opt);
                    self.record(ctx.owner.clone(), Declared { path: full, kind });
                }
                (None, Some(full)) if self.is_options_reference() => {
                    // `virtualisation.fileSystems = options.fileSystems;` (qemu-vm.nix): the
                    // same option declared again under another name. Its sub-options are the
                    // other option's, which this file does not hold: anything may be set.
                    self.record(
                        ctx.owner.clone(),
                        Declared {
                            path: full,
                            kind: Kind::Open,
                        },
                    );
                    self.expr(&child);
                }
                (None, Some(full)) if self.is_bare_reference() => {
                    // `swap = swapType;`: an option held by a `let` binding.
                    if let Some(Tok::Ident(name)) = self.peek().cloned() {
                        self.refs.push(Ref {
                            owner: ctx.owner.clone(),
                            at: full,
                            name,
                            whole: true,
                        });
                    }
                    self.expr(&child);
                }
                _ => self.expr(&child),
            }
            self.end_statement();
        }
    }

    fn record(&mut self, owner: Option<String>, declared: Declared) {
        match owner {
            Some(name) => self.lets.entry(name).or_default().decls.push(declared),
            None => self.top.push(declared),
        }
    }

    /// `options.a.b` alone up to the `;`: another option of the same configuration.
    fn is_options_reference(&self) -> bool {
        if !matches!(self.peek(), Some(Tok::Ident(word)) if word == "options") {
            return false;
        }
        let mut offset = 1;
        loop {
            match (self.peek_at(offset), self.peek_at(offset + 1)) {
                (Some(Tok::Punct(".")), Some(Tok::Ident(_) | Tok::Str(Some(_)))) => offset += 2,
                (Some(Tok::Punct(";")), _) => return offset > 1,
                _ => return false,
            }
        }
    }

    /// An identifier alone up to the `;`.
    fn is_bare_reference(&self) -> bool {
        matches!(self.peek(), Some(Tok::Ident(_)))
            && matches!(self.peek_at(1), Some(Tok::Punct(";")))
    }

    /// Where the option's arguments start when the value is a `mkOption`-family call
    /// (`mkOption`, `lib.mkOption`, `lib.options.mkOption`, in parentheses or not).
    fn declarer(&self) -> Option<usize> {
        let mut offset = 0;
        while matches!(self.peek_at(offset), Some(Tok::Punct("("))) {
            offset += 1;
        }
        loop {
            match (self.peek_at(offset), self.peek_at(offset + 1)) {
                (Some(Tok::Ident(word)), Some(Tok::Punct("."))) if word != "in" => offset += 2,
                (Some(Tok::Ident(word)), _) if DECLARERS.contains(&word.as_str()) => {
                    return Some(self.pos + offset + 1);
                }
                _ => return None,
            }
        }
    }

    /// Reads an option's arguments (and what follows it in the expression, such as
    /// `// { default = true; }`); returns its kind.
    fn option_body(&mut self, ctx: &Ctx, opt: Opt) -> Kind {
        let start = self.pos;
        if self.is_punct("{") && !self.is_pattern() {
            // `mkOption { type = ...; default = ...; }`: its arguments are not option paths.
            self.pos += 1;
            let mut last = None;
            while self.peek().is_some() && !self.is_punct("}") {
                self.progress(&mut last);
                if self.attrpath().is_some() {
                    self.option_expr(ctx, &opt);
                }
                self.end_statement();
            }
            self.pos += 1;
        }
        self.option_expr(ctx, &opt);
        self.kind_of(start, self.pos)
    }

    /// Part of an option's declaration: its type's `attrsOf` and `listOf` set the wildcard,
    /// an attribute set met is a submodule's body, based on the option, and every identifier
    /// may name a `let` binding holding a submodule's options.
    fn option_expr(&mut self, ctx: &Ctx, opt: &Opt) {
        let mut wildcard = opt.wildcard;
        while let Some(tok) = self.peek().cloned() {
            match tok {
                Tok::Punct(";" | "}" | "]" | ")" | ",") => return,
                Tok::Punct("{") if !self.is_pattern() => {
                    self.pos += 1;
                    let mut base = opt.path.clone();
                    base.extend(wildcard.map(str::to_owned));
                    let body = Ctx {
                        owner: ctx.owner.clone(),
                        base,
                        segs: Vec::new(),
                    };
                    self.bindings(&body, "}");
                }
                Tok::Punct("{") => self.skip_group(),
                Tok::Punct("(" | "[" | "${") => {
                    let close = if tok == Tok::Punct("[") {
                        "]"
                    } else if tok == Tok::Punct("(") {
                        ")"
                    } else {
                        "}"
                    };
                    self.pos += 1;
                    let inner = Opt {
                        path: opt.path.clone(),
                        wildcard,
                    };
                    while self.peek().is_some() && !self.is_punct(close) {
                        self.option_expr(ctx, &inner);
                        if !self.is_punct(close) {
                            self.pos += 1;
                        }
                    }
                    self.pos += 1;
                }
                Tok::Ident(word) => {
                    self.pos += 1;
                    match word.as_str() {
                        "attrsOf" | "lazyAttrsOf" => wildcard = Some("<name>"),
                        "listOf" => wildcard = Some("*"),
                        "let" => self.let_bindings(),
                        _ => {}
                    }
                    let mut at = opt.path.clone();
                    at.extend(wildcard.map(str::to_owned));
                    self.refs.push(Ref {
                        owner: ctx.owner.clone(),
                        at,
                        name: word,
                        whole: false,
                    });
                }
                _ => self.pos += 1,
            }
        }
    }

    /// The kind of the option declared by the tokens `start..end`.
    fn kind_of(&self, start: usize, end: usize) -> Kind {
        // A file cut short leaves the position past its last token.
        let end = end.min(self.tokens.len());
        let tokens = &self.tokens[start.min(end)..end];
        let words: Vec<&str> = tokens
            .iter()
            .filter_map(|t| match t {
                Tok::Ident(w) => Some(w.as_str()),
                _ => None,
            })
            .collect();
        if words
            .iter()
            .any(|w| self.lets.get(*w).is_some_and(|l| l.extends))
        {
            return Kind::Configuration;
        }
        let submodule = words.iter().any(|w| {
            w.starts_with("submodule") || self.lets.get(*w).is_some_and(|l| !l.decls.is_empty())
        });
        let open_type = tokens
            .windows(2)
            .any(|pair| matches!(pair, [Tok::Punct("."), Tok::Ident(w)] if w == "type"))
            || words.iter().any(|w| OPEN_TYPES.contains(w));
        let plain_attrs = words
            .iter()
            .any(|w| matches!(*w, "attrsOf" | "lazyAttrsOf"))
            && !submodule;
        if words.contains(&"freeformType") || (open_type && !submodule) || plain_attrs {
            Kind::Open
        } else {
            Kind::Closed
        }
    }

    fn attrpath(&mut self) -> Option<Vec<String>> {
        let mut path = Vec::new();
        loop {
            match self.peek().cloned() {
                Some(Tok::Ident(word)) => path.push(word),
                Some(Tok::Str(Some(text))) => path.push(text),
                Some(Tok::Str(None)) => path.push("<name>".into()),
                Some(Tok::Punct("${")) => {
                    self.pos += 1;
                    self.expr(&Ctx {
                        owner: None,
                        base: Vec::new(),
                        segs: Vec::new(),
                    });
                    path.push("<name>".into());
                }
                _ => return None,
            }
            self.pos += 1;
            match self.peek() {
                Some(Tok::Punct(".")) => self.pos += 1,
                Some(Tok::Punct("=")) => {
                    self.pos += 1;
                    return Some(path);
                }
                _ => return None,
            }
        }
    }

    fn skip_statement(&mut self) {
        let mut depth = 0;
        while let Some(tok) = self.peek() {
            match tok {
                Tok::Punct("{") | Tok::Punct("${") | Tok::Punct("[") | Tok::Punct("(") => {
                    depth += 1
                }
                Tok::Punct("}") | Tok::Punct("]") | Tok::Punct(")") => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                Tok::Punct(";") if depth == 0 => {
                    self.pos += 1;
                    return;
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn end_statement(&mut self) {
        if self.is_punct(";") {
            self.pos += 1;
        } else {
            self.skip_statement();
        }
    }

    /// The declarations at the top level, with those of the `let` bindings they name.
    fn resolve(self) -> Vec<Declared> {
        let mut out: Vec<Declared> = self.top.clone();
        for r in self.refs.iter().filter(|r| r.owner.is_none()) {
            self.expand(r, &mut out, 0);
        }
        out.sort();
        out.dedup();
        out
    }

    fn expand(&self, r: &Ref, out: &mut Vec<Declared>, depth: usize) {
        let Some(held) = self.lets.get(&r.name) else {
            return;
        };
        if depth > 8 {
            return;
        }
        if r.whole {
            if let Some(kind) = held.option {
                out.push(Declared {
                    path: r.at.clone(),
                    kind,
                });
            }
        }
        for decl in &held.decls {
            let mut path = r.at.clone();
            path.extend(decl.path.iter().cloned());
            out.push(Declared {
                path,
                kind: decl.kind,
            });
        }
        for inner in self
            .refs
            .iter()
            .filter(|i| i.owner.as_deref() == Some(r.name.as_str()))
        {
            let mut at = r.at.clone();
            at.extend(inner.at.iter().cloned());
            let moved = Ref {
                owner: None,
                at,
                name: inner.name.clone(),
                whole: inner.whole,
            };
            self.expand(&moved, out, depth + 1);
        }
    }
}

/// The option path of a binding at `base` + `segs`: what follows the last `options`.
fn option_path(base: &[String], segs: &[Seg]) -> Option<Vec<String>> {
    let last = segs.iter().rposition(|seg| *seg == Seg::Options)?;
    let mut path = base.to_vec();
    for seg in &segs[last + 1..] {
        match seg {
            Seg::Name(name) => path.push(name.clone()),
            Seg::Options => return None,
        }
    }
    (path.len() > base.len()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(source: &str) -> Vec<String> {
        declarations(source)
            .into_iter()
            .map(|d| format!("{} {:?}", d.path.join("."), d.kind))
            .collect()
    }

    #[test]
    fn nested_and_dotted_declarations() {
        let source = r#"{ config, lib, ... }:
            with lib;
            let cfg = config.services.x; in {
              options.services.x = {
                enable = mkEnableOption "x";
                port = lib.mkOption { type = types.port; default = 22; description = "a;b"; };
              };
              options.networking.hostName = mkOption { type = types.str; };
              config = mkIf cfg.enable { services.y.enable = mkOption { }; };
            }"#;
        assert_eq!(
            paths(source),
            [
                "networking.hostName Closed",
                "services.x.enable Closed",
                "services.x.port Closed"
            ]
        );
    }

    #[test]
    fn inline_and_named_submodules() {
        let source = r#"{ lib, ... }:
            let
              fsOpts = { name, ... }: {
                options = {
                  device = lib.mkOption { type = lib.types.str; };
                  options = lib.mkOption { type = lib.types.listOf lib.types.str; };
                };
              };
              swapType = lib.mkOption { type = lib.types.attrsOf lib.types.str; };
            in {
              options = {
                fileSystems = lib.mkOption { type = lib.types.attrsOf (lib.types.submodule [ fsOpts ]); };
                parts = lib.mkOption {
                  type = lib.types.attrsOf (lib.types.submodule ({ name, ... }: {
                    options.size = lib.mkOption { default = "100%"; };
                    options.swap = swapType;
                  }));
                };
                settings = lib.mkOption {
                  type = lib.types.submodule { freeformType = format.type; options.max-jobs = lib.mkOption { }; };
                };
                "dotted.name" = lib.mkOption { type = lib.types.attrs; };
              };
            }"#;
        assert_eq!(
            paths(source),
            [
                "dotted.name Open",
                "fileSystems Closed",
                "fileSystems.<name>.device Closed",
                "fileSystems.<name>.options Closed",
                "parts Closed",
                "parts.<name>.size Closed",
                "parts.<name>.swap Open",
                "settings Open",
                "settings.max-jobs Closed"
            ]
        );
    }

    #[test]
    fn an_option_declared_as_another_is_open() {
        let source = r#"{ options, lib, ... }: {
            options.virtualisation = {
              fileSystems = options.fileSystems;
              memorySize = lib.mkOption { type = lib.types.ints.positive; };
              other = config.fileSystems;
            };
          }"#;
        assert_eq!(
            paths(source),
            [
                "virtualisation.fileSystems Open",
                "virtualisation.memorySize Closed"
            ]
        );
    }

    #[test]
    fn extend_modules_variants_are_configurations() {
        let source = r#"{ extendModules, lib, ... }:
            let variant = extendModules { modules = [ ./x.nix ]; }; in {
              options.virtualisation.vmVariantX = lib.mkOption { type = variant.type; };
            }"#;
        assert_eq!(paths(source), ["virtualisation.vmVariantX Configuration"]);
    }

    #[test]
    fn strings_and_comments_hide_nothing_and_add_nothing() {
        let source = r#"{ lib, ... }: {
            # options.fake = mkOption { };
            options.a = lib.mkOption { description = ''
              options.b = mkOption { }; ''${x} '''
            ''; example = "options.c = mkOption { \"}\" }"; };
            /* options.d = mkOption {}; */
            options.e = lib.mkOption { default = ./path/to/file.nix; };
          }"#;
        assert_eq!(paths(source), ["a Closed", "e Closed"]);
    }

    /// `(mkEnableOption "x") // { ... }`: the option ends at the `)`, which the bindings
    /// step over (they once stopped there for good).
    #[test]
    fn an_option_in_parentheses_with_an_update_is_read_and_what_follows_too() {
        let source = r#"{ lib, ... }: {
            options.a = {
              load = (lib.mkEnableOption ''
                loading
              '') // { default = true; };
              after = lib.mkOption { type = lib.types.str; };
            };
            options.b = lib.mkOption {
              type = lib.types.bool;
              ) default = false;
            };
          }"#;
        // On a thread, so that reading forever fails the test rather than hanging it.
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || send.send(paths(source)));
        let found = receive
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the scanner did not finish");
        assert_eq!(found, ["a.after Closed", "a.load Closed", "b Closed"]);
    }

    /// A text cut short gives what it declares before the cut, without running past its end.
    #[test]
    fn a_text_cut_anywhere_is_read_up_to_the_cut() {
        let source = r#"{ lib, ... }: let sub = { options.x = lib.mkOption { }; }; in {
            options.a = lib.mkOption { type = lib.types.submodule sub; };
            options.b = lib.mkOption { type = lib.types.attrsOf (lib.types.submodule { options.c = lib.mkOption { }; }); };
          }"#;
        for cut in 0..source.len() {
            let declared = declarations(&source[..cut]);
            assert!(declared.len() <= 4, "{cut}: {declared:?}");
            assert!(declarations_anywhere(&source[..cut]).len() <= 5);
        }
        let cut = source.find("options.b").unwrap() + "options.b = lib.mkOption { type".len();
        assert_eq!(
            paths(&source[..cut]),
            ["a Closed", "a.x Closed", "b Closed"]
        );
    }

    #[test]
    fn a_text_that_is_not_whole_is_named_with_the_line() {
        let whole = r#"{ lib, ... }: {
  options.a = lib.mkOption { default = "}${"{"}"; description = ''
    ''${ not code } '''
  ''; };
  /* { */ options.b = [ (x: x) ];
}"#;
        assert_eq!(malformed(whole), None);
        for (source, problem) in [
            (
                "{\n  a = {\n    b = 1;\n",
                Malformed::Unclosed { line: 2, open: "{" },
            ),
            (
                "{\n  a = \"x;\n}",
                Malformed::Open {
                    line: 2,
                    what: "string `\"`",
                },
            ),
            (
                "{\n  a = ''\n    x\n}",
                Malformed::Open {
                    line: 2,
                    what: "string `''`",
                },
            ),
            (
                "{ a = \"${b\"; }",
                Malformed::Open {
                    line: 1,
                    what: "string `\"`",
                },
            ),
            (
                "{ /* a = 1; }",
                Malformed::Open {
                    line: 1,
                    what: "comment `/*`",
                },
            ),
            (
                "{ a = 1; }\n}",
                Malformed::Unopened {
                    line: 2,
                    close: "}",
                },
            ),
            (
                "{\n  a = [ 1 };\n}",
                Malformed::Mismatched {
                    line: 2,
                    close: "}",
                    open: "[",
                    opened: 2,
                },
            ),
        ] {
            assert_eq!(malformed(source), Some(problem), "{source}");
        }
    }
}

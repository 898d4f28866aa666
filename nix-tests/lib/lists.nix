# List helpers of the `lib` given to modules (nixpkgs' lib/lists.nix names and meanings),
# written on builtins only: there is no nixpkgs here.
let
  inherit (builtins) length elemAt genList foldl' filter head tail concatLists;
in
rec {
  inherit (builtins) head tail filter elem elemAt length concatLists concatMap map sort partition all any;
  foldl' = builtins.foldl';
  foldl = op: nul: list: foldl' op nul list;
  foldr = op: nul: list:
    let n = length list; go = i: if i == n then nul else op (elemAt list i) (go (i + 1));
    in go 0;
  imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
  imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);
  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  toList = x: if builtins.isList x then x else [ x ];
  flatten = x: if builtins.isList x then concatLists (map flatten x) else [ x ];
  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);
  last = list: elemAt list (length list - 1);
  init = list: genList (elemAt list) (length list - 1);
  take = count: list: genList (elemAt list) (if count < length list then count else length list);
  drop = count: list:
    let n = length list - count; in if n <= 0 then [ ] else genList (i: elemAt list (i + count)) n;
  sublist = start: count: list: take count (drop start list);
  reverseList = list: let n = length list; in genList (i: elemAt list (n - i - 1)) n;
  count = pred: list: foldl' (c: x: if pred x then c + 1 else c) 0 list;
  findFirst = pred: default: list:
    let found = filter pred list; in if found == [ ] then default else head found;
  findSingle = pred: default: multiple: list:
    let found = filter pred list; n = length found;
    in if n == 0 then default else if n == 1 then head found else multiple;
  # Keeps the first occurrence of each element, in order.
  unique = foldl' (acc: e: if builtins.elem e acc then acc else acc ++ [ e ]) [ ];
  intersectLists = e: filter (x: builtins.elem x e);
  subtractLists = e: filter (x: !(builtins.elem x e));
  zipListsWith = f: a: b:
    genList (n: f (elemAt a n) (elemAt b n)) (if length a < length b then length a else length b);
  zipLists = zipListsWith (fst: snd: { inherit fst snd; });
  groupBy' = op: nul: pred: foldl' (r: e: let key = pred e; in r // { ${key} = op (r.${key} or nul) e; }) { };
  groupBy = builtins.groupBy;
  isList = builtins.isList;
  replicate = n: x: genList (_: x) n;
  singleton = x: [ x ];
  ifilter0 = pred: list: map (i: elemAt list i) (filter (i: pred i (elemAt list i)) (genList (i: i) (length list)));
  max = a: b: if a > b then a else b;
  min = a: b: if a < b then a else b;
  sortOn = f: sort (a: b: f a < f b);
  inherit (builtins) genList;
}

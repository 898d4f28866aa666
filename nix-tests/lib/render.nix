# Values as JSON can hold them: packages as `{ _type = "package"; name = "htop"; }` (never
# their infinite insides), paths as strings, functions as "<function>".
{ lib }:
let
  render = v:
    if builtins.isAttrs v then
      if v._type or null == "package" then { _type = "package"; inherit (v) name; }
      else if v._type or null == "pkgs" then "<pkgs>"
      else builtins.mapAttrs (n: render) v
    else if builtins.isList v then map render v
    else if builtins.isFunction v then "<function>"
    else if builtins.isPath v then toString v
    else v;
in
render

# Independent CPU-bound derivations that need neither nixpkgs nor the network: each counts
# to `work` in the plain shell. `nonce` makes every build new, so nothing comes from the store.
{ nonce, count ? 4, work ? 100000 }:
let
  one = i: derivation {
    name = "nixos-tuning-work-${toString i}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "i=0; while [ $i -lt ${toString work} ]; do i=$((i+1)); done; echo ${nonce}-${toString i} > $out" ];
  };
in
builtins.genList one count

#!/usr/bin/env bash
# --isolate worktree: each workstream runs in its own git worktree on branch
# wsfleet/<plan>/<WS-ID> made from the plan's integration branch, so parallel workstreams
# do not collide; each success is rebased and merged into wsfleet/<plan>/integration, one
# at a time; a dependent starts from its dependencies' merged work; two workstreams that
# change the same file in different ways conflict, and the second fails saying where.
source "$(dirname "$0")/lib.sh"
repo=$TMP/repo
mkdir -p "$repo"
git -C "$repo" init -q -b main
printf '.env\nsetup.txt\nport.txt\n' > "$repo/.gitignore"
git -C "$repo" add .gitignore
git -C "$repo" -c user.email=t@t -c user.name=t commit -q -m root
echo "TOKEN=s3cret" > "$repo/.env"  # untracked: copied into each new worktree
cat > "$TMP/config.yaml" <<'YAML'
workspace:
  copy: [.env]
  setup: echo "set up in $PWD" > setup.txt
YAML
plan=$TMP/plan
card "$plan" WS-01 None 'echo one > one.txt; echo same > shared.txt; sleep 0.5; grep -qx one one.txt; git branch --show-current > branch.txt; grep -q s3cret .env; test -f setup.txt; echo "$WSFLEET_PORT_BASE" > port.txt'
card "$plan" WS-02 None 'echo two > two.txt; echo same > shared.txt; sleep 0.5; grep -qx two two.txt; echo "$WSFLEET_PORT_BASE" > port.txt'
card "$plan" WS-03 "WS-01, WS-02" 'grep -qx one one.txt && grep -qx two two.txt && echo three > three.txt'
card "$plan" WS-04 None 'echo mine > clash.txt; sleep 0.5'
card "$plan" WS-05 None 'echo yours > clash.txt; sleep 0.5'
"$WSFLEET" run "$plan" --workers 4 --isolate worktree --keep-going --workdir "$repo" --state "$TMP/s" \
  --config "$TMP/config.yaml" > "$TMP/out" 2>&1
code=$?
check "one of the clashing pair fails: exit 1 (got $code)" [ "$code" -eq 1 ]
check "the rest succeeded" contains "$TMP/out" "4 succeeded, 1 failed"
integration=$(git -C "$repo" branch --list 'wsfleet/*/integration' --format='%(refname:short)')
check "an integration branch for the plan ($integration)" [ -n "$integration" ]
plan_id=${integration#wsfleet/}; plan_id=${plan_id%/integration}
tree=$repo/.wsfleet/worktrees/$plan_id
check "WS-01 worked in its worktree" [ -f "$tree/WS-01/one.txt" ]
check "on its own branch" contains "$tree/WS-01/branch.txt" "wsfleet/$plan_id/WS-01"
check "the main tree is untouched" [ ! -e "$repo/one.txt" ]
check "the setup hook ran in the new worktree" contains "$tree/WS-01/setup.txt" "set up in $tree/WS-01"
check "parallel workstreams got different port blocks" sh -c \
  "test -s '$tree/WS-01/port.txt' && ! cmp -s '$tree/WS-01/port.txt' '$tree/WS-02/port.txt'"
check "untracked copied files are not merged" sh -c "! git -C '$repo' cat-file -e wsfleet/$plan_id/integration:.env"
check "main did not move" [ "$(git -C "$repo" rev-list --count main)" -eq 1 ]
for file in one.txt two.txt three.txt shared.txt; do
  check "$file merged into the integration branch" git -C "$repo" cat-file -e "$integration:$file"
done
check "WS-03 started from both its dependencies' merged work" sh -c \
  "git -C '$repo' log --format=%s 'wsfleet/$plan_id/WS-03' | grep -q '^WS-01:' &&
   git -C '$repo' log --format=%s 'wsfleet/$plan_id/WS-03' | grep -q '^WS-02:'"
check "the integration branch is linear (rebased, fast-forwarded)" \
  [ "$(git -C "$repo" rev-list --merges --count "$integration")" -eq 0 ]
check "the clash failed naming the file" grep -qE "merge: conflicts with $integration in clash.txt" "$TMP/out"
check "the failed work is kept on its branch" sh -c \
  "git -C '$repo' branch --list 'wsfleet/$plan_id/WS-0[45]' | wc -l | grep -qx 2"

# wsfleet clean removes what is merged and keeps the rest, saying why.
echo "scratch" > "$tree/WS-02/scratch.txt"
"$WSFLEET" clean --workdir "$repo" --dry-run > "$TMP/dry.out" 2>&1
check "clean --dry-run removes nothing" [ -d "$tree/WS-01" ]
check "but says what it would" contains "$TMP/dry.out" "would remove $plan_id/WS-01 (merged)"
"$WSFLEET" clean --workdir "$repo" > "$TMP/clean.out" 2>&1
check "clean exits 0" [ $? -eq 0 ]
check "merged worktrees removed" [ ! -e "$tree/WS-01" ] && [ ! -e "$tree/WS-03" ]
check "their branches too" sh -c "! git -C '$repo' rev-parse -q --verify 'refs/heads/wsfleet/$plan_id/WS-01'"
check "a worktree with uncommitted changes is kept" [ -f "$tree/WS-02/scratch.txt" ]
check "saying so" contains "$TMP/clean.out" "kept     $plan_id/WS-02: uncommitted changes"
check "the failed clash's unmerged work is kept" grep -qE "kept     $plan_id/WS-0[45]: 1 commit\(s\) not merged into $integration" "$TMP/clean.out"
check "the summary line" grep -qE "^removed 3 merged worktree\(s\); kept 2$" "$TMP/clean.out"
finish
